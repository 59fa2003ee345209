/** Commit subjects and pull-request titles are read in lists: git's own advice is to keep them short. */
export const TITLE_MAX = 72;

/**
 * `text` cut to at most `max` characters as a person would: at a word boundary, with
 * an ellipsis, and never inside a `code span` (a cut there leaves an open backtick
 * that renders the rest of a list as code). Whitespace runs become one space.
 */
export function cutTitle(text: string, max = TITLE_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const room = max - 1;
  let cut = flat.lastIndexOf(' ', room);
  // One long word: cut inside it rather than give nothing.
  if (cut <= 0) cut = room;
  // An odd number of backticks before the cut: the cut is inside a span; go back before it.
  const ticks = (upTo: number): number => (flat.slice(0, upTo).match(/`/g) ?? []).length;
  if (ticks(cut) % 2 === 1) {
    const open = flat.lastIndexOf('`', cut - 1);
    const before = flat.lastIndexOf(' ', open);
    cut = before > 0 ? before : open;
  }
  return `${flat.slice(0, cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

/**
 * A conventional-commit subject (`fix(csv-import): pad short rows`), cut as
 * `cutTitle` does: the first line of the summary, its first letter lowercased
 * unless it is an acronym or a code span.
 */
export function conventionalTitle(type: 'fix', scope: string, summary: string, max = TITLE_MAX): string {
  const first = (summary.split('\n')[0] ?? '').trim().replace(/\.$/, '');
  const lowered = /^[A-Z][a-z]/.test(first) ? `${first[0]!.toLowerCase()}${first.slice(1)}` : first;
  return cutTitle(`${type}(${scope}): ${lowered || 'fix the reported error'}`, max);
}
