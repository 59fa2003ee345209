/** Reading a function's blocks by indentation: Python's own rule, which formatted JavaScript and TypeScript follow too. */
import { indentOf, isBlank } from './lines.ts';

export const esc = (name: string): string => name.replace(/[$]/g, '\\$&');

/** A line that assigns the variable, plainly or as an update (`x += 1`). */
export const defines = (line: string, name: string): boolean =>
  new RegExp(String.raw`^\s*(?:let\s+|var\s+|const\s+)?${esc(name)}\s*(?:[-+*/%|&^]|\*\*|//|<<|>>)?=(?!=)`).test(line);

/** What a line reads: all of it, but the target of a plain assignment (an update, `x += 1`, reads it). */
export const readPart = (line: string, name: string): string =>
  new RegExp(String.raw`^\s*(?:let\s+|var\s+|const\s+)?${esc(name)}\s*=(?!=)`).test(line) ? line.replace(/^[^=]*=/, '') : line;

/**
 * Whether anything may read what line `d` assigns before line `at` assigns it again:
 * a mention on the lines between, or the condition of a loop around `d` that `at` is
 * not in (it reads the last pass's value to decide to stop). A loop's later passes
 * reading it do not count: the value it ends with is what `at` throws away.
 */
export function readBetween(lines: readonly string[], d: number, at: number, name: string, python: boolean): boolean {
  for (let i = d + 1; i < at; i++) if (mentions(readPart(lines[i] ?? '', name), name)) return true;
  for (let loop = enclosingLoop(lines, d, python); loop !== undefined; loop = enclosingLoop(lines, loop, python)) {
    if (at > loop && at < blockAfter(lines, loop)) break;
    if (mentions(lines[loop] ?? '', name)) return true;
  }
  return false;
}

/** The headers of the blocks that hold line `at`, innermost first. */
export function ancestors(lines: readonly string[], at: number): number[] {
  const out: number[] = [];
  for (let h = headerOf(lines, at); h !== undefined; h = headerOf(lines, h)) out.push(h);
  return out;
}

/**
 * Whether lines `d` and `at` sit in branches of which only one runs: under their
 * closest common block, `at`'s side starts with `else`/`elif`/`except`/`catch`.
 */
export function exclusive(lines: readonly string[], d: number, at: number): boolean {
  const ofD = [d, ...ancestors(lines, d)];
  const ofAt = [at, ...ancestors(lines, at)];
  const common = ofD.find((h) => ofAt.includes(h) && h !== d);
  const side = ofAt[(common === undefined ? ofAt.length : ofAt.indexOf(common)) - 1];
  const sideOfD = ofD[(common === undefined ? ofD.length : ofD.indexOf(common)) - 1];
  if (side === undefined || sideOfD === undefined || side === sideOfD) return false;
  return /^(\}\s*)?(else|elif|except|catch)\b/.test((lines[side] ?? '').trim());
}

/** The nearest line above `at` with less indentation: the header of the block that holds it. */
export function headerOf(lines: readonly string[], at: number): number | undefined {
  const depth = indentOf(lines[at] ?? '');
  for (let i = at - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!isBlank(line) && indentOf(line) < depth) return i;
  }
  return undefined;
}

/** A function's or method's header: `def f(…):`, `function f(…) {`, `(…) => {`, `name(…) {`. */
export function isFunction(line: string, python: boolean): boolean {
  const text = line.trim().replace(/^\}\s*/, '');
  if (/^(export\s+)?(async\s+)?(def|function)\b/.test(text)) return true;
  return !python && /(=>|\))\s*\{\s*$|=>\s*$/.test(text) && !/^(if|for|while|switch|catch)\b/.test(text);
}

/** The nearest `for`/`while` header whose block holds line `at`, stopping at the function or class. */
export function enclosingLoop(lines: readonly string[], at: number, python: boolean): number | undefined {
  for (const header of ancestors(lines, at)) {
    const line = lines[header] ?? '';
    if (/^\s*class\b/.test(line) || isFunction(line, python)) return undefined;
    if (/^(for|while|do)\b|^\}?\s*while\b/.test(line.trim())) return header;
  }
  return undefined;
}

/** The function (or method) whose block holds line `at`, if any. */
export const functionStart = (lines: readonly string[], at: number, python: boolean): number | undefined =>
  ancestors(lines, at).find((header) => isFunction(lines[header] ?? '', python));

/** The first line after the block that `header` opens (the end of the file when it runs there). */
export function blockAfter(lines: readonly string[], header: number): number {
  if (header < 0) return lines.length;
  const depth = indentOf(lines[header] ?? '');
  let i = header + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!isBlank(line) && indentOf(line) <= depth) break;
  }
  return i;
}

/** A line that mentions the variable at all. */
export const mentions = (line: string, name: string): boolean => new RegExp(String.raw`(?<![\w.$])${esc(name)}(?![\w$])`).test(line);
