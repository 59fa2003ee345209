import { commonEnds } from './hunks.ts';
import { blockAfter, defines, enclosingLoop, esc, exclusive, functionStart, headerOf, mentions, readBetween } from './blocks.ts';

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

const CONSTANT_PY = String.raw`(?:-?\d+(?:\.\d+)?|""|''|\[\s*\]|\{\s*\}|\(\s*\)|None|False|True|set\(\)|dict\(\)|list\(\))`;
const CONSTANT_JS = String.raw`(?:-?\d+(?:\.\d+)?|""|''|\[\s*\]|\{\s*\}|null|false|true|new (?:Map|Set)\(\))`;

/** The variable a line assigns, if that is all the line does: whether the value is a constant, and whether it reads the variable itself. */
function assignmentOf(line: string, python: boolean): { name: string; constant: boolean; readsItself: boolean } | undefined {
  const match = (python ? /^\s*([A-Za-z_]\w*)\s*=(?!=)\s*(.+?)\s*(#.*)?$/ : /^\s*(?:let\s+|var\s+|const\s+)?([A-Za-z_$][\w$]*)\s*=(?![=>])\s*(.+?)\s*;?\s*(\/\/.*)?$/).exec(line);
  if (!match) return undefined;
  const [, name = '', value = ''] = match;
  return { name, constant: new RegExp(`^${python ? CONSTANT_PY : CONSTANT_JS}$`).test(value), readsItself: mentions(value, name) };
}

/** A line that builds on the variable's previous value: `x += …`, `x = x …`, `x.append(…)`. */
function accumulates(line: string, name: string): boolean {
  const n = esc(name);
  return new RegExp(
    String.raw`(?<![\w.$])${n}\s*([-+*/%|&^]|\*\*|//|<<|>>)=|(?<![\w.$])${n}\s*=\s*.*(?<![\w.$])${n}(?![\w$])|(?<![\w.$])${n}\.(append|extend|add|update|push|insert|set|concat)\(|(?<![\w.$])${n}\[[^\]]+\]\s*=(?!=)|(?<![\w.$])${n}(\+\+|--)`,
  ).test(line);
}
