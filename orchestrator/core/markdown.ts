/** The longest run of backticks in a text: a fence or span around it must be longer. */
const longestTicks = (text: string): number => Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));

/** A fenced block that no backtick run inside can close: issue bodies and patches hold fences of their own. */
export function fenced(body: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, longestTicks(body) + 1));
  return `${fence}${lang}\n${body.endsWith('\n') ? body : `${body}\n`}${fence}`;
}

/**
 * Text from production (an input, an output, an error) as inline code on one line:
 * nothing in it renders on GitHub (no mention, link, image or HTML), and no backtick
 * in it can end the span.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const ticks = '`'.repeat(longestTicks(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}
