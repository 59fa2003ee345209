import ts from 'typescript';
import { addCoverage, type LineCoverage } from '../../fixers/offline/spectrum.ts';
import { parse } from '../../fixers/offline/source.ts';
import { commonEnds } from './hunks.ts';
import { indentOf, isBlank } from './lines.ts';

/** Where an unchanged line of the original is in the changed text; undefined for a line the change touches. */
export function lineMapOf(before: string, after: string): (line: number) => number | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  const { start, end } = commonEnds(a, b);
  // Lines are 1-based: line n is a[n - 1].
  return (line) => (line <= start ? line : line > a.length - end ? line + (b.length - a.length) : undefined);
}

/**
 * The original's lines a change deletes with nothing in their place (or only `pass`):
 * code that ran and is simply gone is switched off, the line that threw included.
 */
export function deletedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const map = lineMapOf(before, after);
  const removed = a.map((_, i) => i + 1).filter((line) => map(line) === undefined);
  const mapped = new Set(a.map((_, i) => map(i + 1)).filter((n) => n !== undefined));
  const added = b.filter((_, i) => !mapped.has(i + 1));
  return added.every((line) => /^\s*(pass|;)?\s*$/.test(line)) ? removed : [];
}

/** The original's first changed line (or, for a pure insertion, the line before it). */
function changeAt(before: string, after: string): number {
  const map = lineMapOf(before, after);
  const lines = before.split('\n');
  for (let line = 1; line <= lines.length; line++) if (map(line) === undefined) return line;
  let line = 1;
  while (line < lines.length && map(line + 1) === line + 1) line++;
  return line;
}

/**
 * The lines of the function the change is in (the whole file for top-level code):
 * elsewhere, lines the failure ran are its own making (an error class's constructor,
 * a message builder), which a fix rightly no longer runs.
 */
export function changedFunction(file: string, before: string, after: string): [number, number] {
  const at = changeAt(before, after);
  const lines = before.split('\n');
  if (/\.py$/.test(file)) {
    const code = (l: string): boolean => !isBlank(l, true);
    // Upwards, the first `def` less indented than every line between it and the change.
    let inner = Infinity;
    for (let i = at - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (!code(line)) continue;
      const isDef = /^\s*(async\s+)?def\s/.test(line);
      if (isDef && (indentOf(line) < inner || i === at - 1)) {
        let end = i + 1;
        while (end < lines.length && (!code(lines[end]!) || indentOf(lines[end]!) > indentOf(line))) end++;
        return [i + 1, end];
      }
      inner = Math.min(inner, indentOf(line));
    }
    return [1, lines.length];
  }
  const sf = parse(file, before);
  const position = sf.getPositionOfLineAndCharacter(Math.min(at, sf.getLineStarts().length) - 1, 0);
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (position < node.getFullStart() || position >= node.getEnd()) return;
    if (ts.isFunctionLike(node)) found = node;
    node.forEachChild(visit);
  };
  visit(sf);
  if (!found) return [1, lines.length];
  return [sf.getLineAndCharacterOfPosition(found.getStart(sf)).line + 1, sf.getLineAndCharacterOfPosition(found.getEnd()).line + 1];
}

export interface SwitchedOff {
  file: string;
  /** The original's line numbers. */
  lines: number[];
}

/**
 * The lines the failing call ran on the original that it no longer runs with a
 * candidate: the change cut the road to the failure rather than mending it (a loop
 * that is never entered, a branch never taken, the failing call skipped). Lines the
 * change touches are not counted, nor the lines of the failure's stack (a fix may
 * route around the line that threw; the lines that led there must still run). But a
 * line that ran and is deleted with nothing in its place counts, thrown or not.
 * `before` and `after` are coverage of the same call; `texts` gives each changed
 * file's original and new text.
 */
export function switchedOff(
  before: LineCoverage,
  after: LineCoverage,
  texts: ReadonlyMap<string, { before: string; after: string | null }>,
  stack: readonly { file: string; line: number | null }[],
  options: { deletionsOnly?: boolean } = {},
): SwitchedOff[] {
  const lost: SwitchedOff[] = [];
  for (const [file, lines] of before) {
    const text = texts.get(file);
    // Only where the change is (elsewhere, what the failure alone ran: an entry's error report);
    // a deleted file's lines are the change itself.
    if (!text || text.after === null) continue;
    const map = lineMapOf(text.before, text.after);
    const ran = after.get(file) ?? new Set<number>();
    const thrownHere = new Set(stack.filter((frame) => frame.line !== null && sameFile(frame.file, file)).map((frame) => frame.line));
    const handling = handlerLines(text.before, /\.py$/.test(file));
    const deleted = new Set(deletedLines(text.before, text.after));
    const [first, last] = changedFunction(file, text.before, text.after);
    const skipped = (line: number): boolean => {
      const now = map(line);
      return now !== undefined && !ran.has(now) && !thrownHere.has(line) && !handling.has(line) && line >= first && line <= last;
    };
    const missing = [...lines].filter((line) => deleted.has(line) || (!options.deletionsOnly && skipped(line))).sort((x, y) => x - y);
    if (missing.length > 0) lost.push({ file, lines: missing });
  }
  return lost;
}

/**
 * The lines the failing call ran on the original that no known input reaches with a
 * candidate: `known` is what the suite and the failing call ran on it. Where lines are
 * left, `probes` (recorded and generated inputs) are run under coverage one at a time
 * (`cover`) until they reach every such line or run out: a sparse suite is no proof
 * that a branch now decides nothing, an input that takes the work's road is.
 */
export async function unreached(
  before: LineCoverage,
  known: LineCoverage,
  texts: ReadonlyMap<string, { before: string; after: string | null }>,
  stack: readonly { file: string; line: number | null }[],
  probes: readonly unknown[],
  cover: (input: unknown) => Promise<LineCoverage | undefined>,
): Promise<SwitchedOff[]> {
  const ran = addCoverage(new Map(), known);
  let lost = switchedOff(before, ran, texts, stack);
  for (const input of probes) {
    if (lost.length === 0) break;
    addCoverage(ran, (await cover(input)) ?? []);
    lost = switchedOff(before, ran, texts, stack);
  }
  return lost;
}

/**
 * The lines of exception handlers (`except`/`finally` blocks in Python, `catch`/`finally`
 * blocks in JavaScript and TypeScript): the failure ran them, a fix rightly does not.
 * By indentation in Python; by braces elsewhere, which strings holding braces can
 * mislead (then a line is kept out of the check, never wrongly put in).
 */
export function handlerLines(text: string, python: boolean): Set<number> {
  const lines = text.split('\n');
  const inside = new Set<number>();
  if (python) {
    let handler: number | undefined;
    lines.forEach((line, i) => {
      if (isBlank(line, true)) return;
      const indent = indentOf(line);
      if (handler !== undefined && indent > handler) inside.add(i + 1);
      else handler = /^(except\b|finally\s*:)/.test(line.trimStart()) ? indent : undefined;
      if (handler === indent) inside.add(i + 1);
    });
    return inside;
  }
  let depth = 0;
  let handlerDepth: number | undefined;
  let pending = false;
  lines.forEach((line, i) => {
    if (/\b(catch|finally)\b/.test(line) && handlerDepth === undefined) pending = true;
    if (pending || handlerDepth !== undefined) inside.add(i + 1);
    for (const char of line) {
      if (char === '{') {
        depth++;
        if (pending) {
          handlerDepth = depth;
          pending = false;
        }
      } else if (char === '}') {
        if (handlerDepth === depth) handlerDepth = undefined;
        depth--;
      }
    }
  });
  return inside;
}

/** Stack frames name files as the runtime saw them (absolute, in the sandbox); coverage as paths in the plugin. */
function sameFile(frame: string, file: string): boolean {
  const path = frame.replace(/^file:\/\//, '');
  return path === file || path.endsWith(`/${file}`);
}

/** One line a reviewer reads: where, and how much. */
export function describeSwitchedOff(lost: readonly SwitchedOff[], where = 'for the same input'): string {
  const first = lost[0];
  if (!first) return '';
  const count = lost.reduce((n, l) => n + l.lines.length, 0);
  const shown = first.lines.slice(0, 4).join(', ');
  return `it switches off code the failing call ran on the original: ${first.file} line${first.lines.length > 1 ? 's' : ''} ${shown}${first.lines.length > 4 ? ', …' : ''}${count > first.lines.length ? ` and ${count - first.lines.length} more` : ''} no longer run${first.lines.length > 1 ? '' : 's'} ${where}`;
}
