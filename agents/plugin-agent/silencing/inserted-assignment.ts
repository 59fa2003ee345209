import { commonEnds } from './hunks.ts';
import { indentOf, isBlank } from './lines.ts';

/** What an inserted assignment does wrong, as the reviewer reads it. */
export interface InsertedFinding {
  id: 'accumulator-reset' | 'loop-decided' | 'dead-store';
  why: string;
}

/**
 * One inserted assignment (the shape statement insertion and GenProg's donor code
 * produce) that makes an error go away by throwing work away:
 *
 * - `accumulator-reset`: `total = 0` inside the loop that adds to `total`, where the
 *   code after the loop reads it: the value now holds only the last pass. A missing
 *   initialisation belongs before the loop.
 * - `loop-decided`: a constant assigned, at the loop body's own level, to a variable
 *   the loop's header reads (`found = True` first thing in `while … not found:`): the
 *   loop now stops after one pass (or never), whatever its work finds.
 * - `dead-store`: the variable set again before anything reads what an earlier
 *   assignment put there (`largest_tup = i` after the loop that picked the largest):
 *   the earlier statement is dead, as good as deleted.
 *
 * Blocks are read by indentation (Python's own rule; formatted JavaScript and
 * TypeScript follow it too), so this needs the whole file, not a diff's few lines.
 */
export function insertedAssignment(before: string, after: string, python: boolean): InsertedFinding | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  const { start, end } = commonEnds(a, b);
  if (a.length - start - end !== 0 || b.length - start - end !== 1) return undefined;
  const assignment = assignmentOf(b[start] ?? '', python);
  if (!assignment) return undefined;
  const { name, constant } = assignment;
  const loop = enclosingLoop(b, start, python);
  if (constant && loop !== undefined) {
    const body = blockAfter(b, loop);
    const inside = b.slice(loop + 1, body).filter((_, i) => loop + 1 + i !== start);
    const rest = b.slice(body, blockAfter(b, functionStart(b, loop, python) ?? -1));
    if (inside.some((line) => accumulates(line, name)) && rest.some((line) => mentions(line, name)))
      return {
        id: 'accumulator-reset',
        why: `it sets \`${name}\` to its starting value inside the loop that accumulates it (line ${loop + 1}), so what the code after the loop reads holds only the last pass`,
      };
    if (headerOf(b, start) === loop && mentions(b[loop] ?? '', name))
      return {
        id: 'loop-decided',
        why: `it sets \`${name}\`, which the loop's condition (line ${loop + 1}) reads, to a constant on every pass, so the loop stops after one pass (or never) whatever it finds`,
      };
  }
  if (assignment.readsItself) return undefined;
  const fn = functionStart(b, start, python);
  for (let d = (fn ?? -1) + 1; d < start; d++) {
    if (!defines(b[d] ?? '', name) || exclusive(b, d, start) || readBetween(b, d, start, name, python)) continue;
    return { id: 'dead-store', why: `it sets \`${name}\` again before anything reads the value line ${d + 1} gave it, so that line no longer counts` };
  }
  return undefined;
}

const esc = (name: string): string => name.replace(/[$]/g, '\\$&');

const CONSTANT_PY = String.raw`(?:-?\d+(?:\.\d+)?|""|''|\[\s*\]|\{\s*\}|\(\s*\)|None|False|True|set\(\)|dict\(\)|list\(\))`;
const CONSTANT_JS = String.raw`(?:-?\d+(?:\.\d+)?|""|''|\[\s*\]|\{\s*\}|null|false|true|new (?:Map|Set)\(\))`;

/** The variable a line assigns, if that is all the line does: whether the value is a constant, and whether it reads the variable itself. */
function assignmentOf(line: string, python: boolean): { name: string; constant: boolean; readsItself: boolean } | undefined {
  const match = (python ? /^\s*([A-Za-z_]\w*)\s*=(?!=)\s*(.+?)\s*(#.*)?$/ : /^\s*(?:let\s+|var\s+|const\s+)?([A-Za-z_$][\w$]*)\s*=(?![=>])\s*(.+?)\s*;?\s*(\/\/.*)?$/).exec(line);
  if (!match) return undefined;
  const [, name = '', value = ''] = match;
  return { name, constant: new RegExp(`^${python ? CONSTANT_PY : CONSTANT_JS}$`).test(value), readsItself: mentions(value, name) };
}

/** A line that assigns the variable, plainly or as an update (`x += 1`). */
const defines = (line: string, name: string): boolean => new RegExp(String.raw`^\s*(?:let\s+|var\s+)?${esc(name)}\s*(?:[-+*/%|&^]|\*\*|//|<<|>>)?=(?!=)`).test(line);

/** What a line reads: all of it, but the target of a plain assignment (an update, `x += 1`, reads it). */
const readPart = (line: string, name: string): string => (new RegExp(String.raw`^\s*(?:let\s+|var\s+)?${esc(name)}\s*=(?!=)`).test(line) ? line.replace(/^[^=]*=/, '') : line);

/**
 * Whether anything may read what line `d` assigns before line `at` assigns it again:
 * a mention on the lines between, or the condition of a loop around `d` that `at` is
 * not in (it reads the last pass's value to decide to stop). A loop's later passes
 * reading it do not count: the value it ends with is what `at` throws away.
 */
function readBetween(lines: readonly string[], d: number, at: number, name: string, python: boolean): boolean {
  for (let i = d + 1; i < at; i++) if (mentions(readPart(lines[i] ?? '', name), name)) return true;
  for (let loop = enclosingLoop(lines, d, python); loop !== undefined; loop = enclosingLoop(lines, loop, python)) {
    if (at > loop && at < blockAfter(lines, loop)) break;
    if (mentions(lines[loop] ?? '', name)) return true;
  }
  return false;
}

/** The headers of the blocks that hold line `at`, innermost first. */
function ancestors(lines: readonly string[], at: number): number[] {
  const out: number[] = [];
  for (let h = headerOf(lines, at); h !== undefined; h = headerOf(lines, h)) out.push(h);
  return out;
}

/**
 * Whether lines `d` and `at` sit in branches of which only one runs: under their
 * closest common block, `at`'s side starts with `else`/`elif`/`except`/`catch`.
 */
function exclusive(lines: readonly string[], d: number, at: number): boolean {
  const ofD = [d, ...ancestors(lines, d)];
  const ofAt = [at, ...ancestors(lines, at)];
  const common = ofD.find((h) => ofAt.includes(h) && h !== d);
  const side = ofAt[(common === undefined ? ofAt.length : ofAt.indexOf(common)) - 1];
  const sideOfD = ofD[(common === undefined ? ofD.length : ofD.indexOf(common)) - 1];
  if (side === undefined || sideOfD === undefined || side === sideOfD) return false;
  return /^(\}\s*)?(else|elif|except|catch)\b/.test((lines[side] ?? '').trim());
}

/** The nearest line above `at` with less indentation: the header of the block that holds it. */
function headerOf(lines: readonly string[], at: number): number | undefined {
  const depth = indentOf(lines[at] ?? '');
  for (let i = at - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!isBlank(line) && indentOf(line) < depth) return i;
  }
  return undefined;
}

/** A function's or method's header: `def f(…):`, `function f(…) {`, `(…) => {`, `name(…) {`. */
function isFunction(line: string, python: boolean): boolean {
  const text = line.trim().replace(/^\}\s*/, '');
  if (/^(export\s+)?(async\s+)?(def|function)\b/.test(text)) return true;
  return !python && /(=>|\))\s*\{\s*$|=>\s*$/.test(text) && !/^(if|for|while|switch|catch)\b/.test(text);
}

/** The nearest `for`/`while` header whose block holds line `at`, stopping at the function or class. */
function enclosingLoop(lines: readonly string[], at: number, python: boolean): number | undefined {
  for (const header of ancestors(lines, at)) {
    const line = lines[header] ?? '';
    if (/^\s*class\b/.test(line) || isFunction(line, python)) return undefined;
    if (/^(for|while|do)\b|^\}?\s*while\b/.test(line.trim())) return header;
  }
  return undefined;
}

/** The function (or method) whose block holds line `at`, if any. */
const functionStart = (lines: readonly string[], at: number, python: boolean): number | undefined => ancestors(lines, at).find((header) => isFunction(lines[header] ?? '', python));

/** The first line after the block that `header` opens (the end of the file when it runs there). */
function blockAfter(lines: readonly string[], header: number): number {
  if (header < 0) return lines.length;
  const depth = indentOf(lines[header] ?? '');
  let i = header + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!isBlank(line) && indentOf(line) <= depth) break;
  }
  return i;
}

/** A line that builds on the variable's previous value: `x += …`, `x = x …`, `x.append(…)`. */
function accumulates(line: string, name: string): boolean {
  const n = esc(name);
  return new RegExp(
    String.raw`(?<![\w.$])${n}\s*([-+*/%|&^]|\*\*|//|<<|>>)=|(?<![\w.$])${n}\s*=\s*.*(?<![\w.$])${n}(?![\w$])|(?<![\w.$])${n}\.(append|extend|add|update|push|insert|set|concat)\(|(?<![\w.$])${n}\[[^\]]+\]\s*=(?!=)|(?<![\w.$])${n}(\+\+|--)`,
  ).test(line);
}

/** A line that mentions the variable at all. */
const mentions = (line: string, name: string): boolean => new RegExp(String.raw`(?<![\w.$])${esc(name)}(?![\w$])`).test(line);
