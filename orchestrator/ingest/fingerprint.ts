import { createHash } from 'node:crypto';
import type { Frame } from './stack.ts';

/**
 * Error grouping. An error's fingerprint is its plugin, its type and where it happened in the plugin's own
 * code (function and file of the top three in-app frames, no line or column, so a release that moves code
 * around keeps its groups); without an in-app frame, its message with the varying parts replaced.
 */

/** Longer messages are data dumps; their head is what identifies them. */
const MAX_MESSAGE = 4096;
/** How many in-app frames identify an error. */
const FRAMES = 3;

/**
 * A quoted string that reads like an identifier (`'trim'`, `"user.email"`, `'./parse.js'`) says which
 * property, column or module failed, so it stays; anything else quoted (text with spaces or punctuation,
 * longer than 40 characters) is a value and becomes `<str>`.
 */
const IDENTIFIER = /^[\w$@./:#-]{0,40}$/;

const REPLACEMENTS: readonly [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  // A URL's query string is data; its path stays (numbers in it are replaced below).
  [/(\b[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s?#"'`<>]{1,2048})\?[^\s#"'`<>]*/g, (_match, url) => `${url}?<str>`],
  [
    /(?<![\w\\])(?:'([^'\n]{0,1000})'|"([^"\n]{0,1000})"|`([^`\n]{0,1000})`)(?!\w)/g,
    (match, single, double, back) => (IDENTIFIER.test(single ?? double ?? back ?? '') ? match : '<str>'),
  ],
  [/(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g, '<email>'],
  [/(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f])/g, '<uuid>'],
  [/(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)/g, '<ts>'],
  [/(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.])/g, '<ip>'],
  // IPv6 only when unmistakable (eight groups or a `::`), so `10:04:05` stays a time.
  [/(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])/g, (match) => (match.includes('::') || match.split(':').length === 8 ? '<ip>' : match)],
  [/\b0x[0-9A-Fa-f]+\b/g, '<hex>'],
  // Hashes, object ids, request ids: eight or more hex digits with at least one digit among them.
  [/(?<![A-Za-z0-9_])[0-9A-Fa-f]{8,}(?![A-Za-z0-9_])/g, (match) => (/^\d+$/.test(match) || !/\d/.test(match) ? match : '<hex>')],
  // Numbers not glued to a word in front (`utf8`, `Int32Array`, `sha256` stay; `user_42`, `5ms` don't).
  [/(?<![A-Za-z0-9.])\d+(?:\.\d+)*/g, '<num>'],
  [/\s+/g, ' '],
];

/**
 * A message with what varies between occurrences of the same error replaced by placeholders: numbers
 * `<num>`, hex `<hex>` (0x… and runs of 8+ with a digit), uuids `<uuid>`, ISO dates and timestamps `<ts>`,
 * emails `<email>`, IPs `<ip>`, URL query strings `?<str>` and quoted values that are not identifier-like
 * `<str>`; short identifier-like quoted strings (`'trim'`) are kept. Whitespace is collapsed.
 */
export function normaliseMessage(message: string): string {
  let out = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message;
  for (const [pattern, replacement] of REPLACEMENTS) {
    pattern.lastIndex = 0;
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out.trim();
}

function frameKey(frame: Frame): string {
  return `${frame.function ?? '<anonymous>'}@${frame.file}`;
}

/**
 * sha256 (first 32 hex digits) of the plugin, the error type and the top three in-app frames as
 * `function@file` (frames as normaliseFrames left them, innermost first); when no frame is in-app, of the
 * plugin, the type and the normalised message.
 */
export function fingerprint(input: { plugin: string; type: string; message: string; frames: Frame[] }): {
  fingerprint: string;
  basis: 'frames' | 'message';
} {
  const inApp = input.frames.filter((frame) => frame.inApp).slice(0, FRAMES);
  const basis = inApp.length > 0 ? 'frames' : 'message';
  const parts = basis === 'frames' ? inApp.map(frameKey) : [normaliseMessage(input.message)];
  // JSON keeps the parts apart: ('ab', 'c') and ('a', 'bc') differ.
  const text = JSON.stringify([input.plugin, input.type, basis, ...parts]);
  return { fingerprint: createHash('sha256').update(text).digest('hex').slice(0, 32), basis };
}
