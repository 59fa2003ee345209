import { createHash } from 'node:crypto';

/**
 * Characters that must never appear raw in a generated file: controls, format
 * characters (bidi overrides, zero-width: what "Trojan Source" hides code with), line and
 * paragraph separators, private-use, unassigned and lone surrogates. The input is
 * production data; a reviewer must see in the file exactly what runs.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/gu;
const UNSAFE_CHAR = new RegExp(`^${UNSAFE.source}$`, 'u');

function utf16Escapes(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * `value` as JSON text with every unsafe character escaped. Outside strings JSON text
 * is ASCII, so each replacement lands inside a string, where `\uXXXX` (surrogate
 * pairs for astral characters) is valid JSON and valid JavaScript alike.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  // A raw newline in JSON text is indentation: inside strings JSON escapes it.
  return text.replace(UNSAFE, (char) => (char === '\n' ? char : utf16Escapes(char)));
}

/** A JavaScript (and TypeScript) string literal of `text`, in the quotes the plugin's code uses. */
export function jsString(text: string, quote: '"' | "'" = '"'): string {
  const json = safeJson(text);
  if (quote === '"') return json;
  // Escapes are read pair by pair, so `\\"` stays an escaped backslash and a quote.
  return `'${json.slice(1, -1).replace(/\\([^])|'/g, (all: string, escaped: string | undefined) => (escaped === '"' ? '"' : escaped !== undefined ? all : "\\'"))}'`;
}

/** Whether an object literal would read `value` differently from JSON.parse: `__proto__` sets the prototype there. */
function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.keys(value).some((key) => key === '__proto__' || hasProtoKey((value as Record<string, unknown>)[key]));
}

/**
 * A JavaScript expression that evaluates to `value` as JSON.parse would give it: a
 * readable literal, or `JSON.parse("…")` when a literal would differ, or when `asParse`
 * (TypeScript: `any` keeps the plugin's own input type from refusing production's data).
 */
export function jsValue(value: unknown, options: { asParse?: boolean; indent?: string } = {}): string {
  if (value === undefined) return 'undefined';
  if (options.asParse || hasProtoKey(value)) return `JSON.parse(${jsString(safeJson(value))})`;
  return safeJson(value, 2).replace(/\n/g, `\n${options.indent ?? ''}`);
}

/**
 * A Python string literal of `text`, double-quoted: backslash escapes for the quote,
 * the backslash and every unsafe character (`\U` for astral ones: Python joins no
 * surrogate pairs in literals); other characters as they are (sources are UTF-8).
 */
export function pythonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (UNSAFE_CHAR.test(char)) out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** A Python expression for `value`: json.loads of a literal of its JSON text, so no production data is ever Python syntax. */
export function pythonValue(value: unknown): string {
  return `json.loads(${pythonString(value === undefined ? 'null' : safeJson(value))})`;
}

/** Text that is safe on one comment line: nothing that ends a line or hides text, at most `max` characters. */
export function commentText(text: string, max = 200): string {
  const flat = text.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** The group's short id for file and test names: lower-case letters and digits only. */
export function shortId(group: string): string {
  const plain = group.toLowerCase().replace(/[^a-z0-9]/g, '');
  return plain.slice(0, 12) || createHash('sha256').update(group).digest('hex').slice(0, 12);
}

/** An error type as it may appear in a test's name: no TAP directive (`# SKIP`), no quotes. */
export function typeName(type: string): string {
  return type.replace(/[^\w.$:-]/g, '').slice(0, 80) || 'an error';
}
