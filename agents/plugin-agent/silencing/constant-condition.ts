import { lineMapOf } from './switched-off.ts';
import { indentOf, isBlank } from './lines.ts';

/** A condition the change wrote, and the first line of each way it leads (1-based, in the new text). */
export interface ChangedCondition {
  line: number;
  kind: 'branch' | 'loop';
  /** The first line run when the condition holds (a loop: its body). */
  then?: number;
  /** For a branch: the first line run when it does not, where the branch has an `else`/`elif`. */
  otherwise?: number;
}

const PY_HEADER = /^\s*(if|elif|while|for)\b.*:\s*(#.*)?$/;
const JS_HEADER = /^\s*(?:\}\s*)?(?:else\s+)?(if|while|for)\s*\(/;

/** The next line after `from` (0-based) that is code, 0-based, or undefined. */
function nextCode(lines: readonly string[], from: number, python: boolean): number | undefined {
  for (let i = from + 1; i < lines.length; i++) if (!isBlank(lines[i]!, python)) return i;
  return undefined;
}

function pythonWays(lines: readonly string[], at: number): Pick<ChangedCondition, 'then' | 'otherwise'> {
  const indent = indentOf(lines[at]!);
  const body = nextCode(lines, at, true);
  if (body === undefined || indentOf(lines[body]!) <= indent) return {};
  let next: number | undefined = body;
  while (next !== undefined && indentOf(lines[next]!) > indent) next = nextCode(lines, next, true);
  const ways: Pick<ChangedCondition, 'then' | 'otherwise'> = { then: body + 1 };
  if (next === undefined || indentOf(lines[next]!) !== indent) return ways;
  const word = lines[next]!.trimStart();
  // An `elif` is run (evaluated) when the branch is not taken; `else:` itself is no code, its body is.
  if (/^elif\b/.test(word)) return { ...ways, otherwise: next + 1 };
  if (/^else\s*:/.test(word)) {
    const elseBody = nextCode(lines, next, true);
    if (elseBody !== undefined) return { ...ways, otherwise: elseBody + 1 };
  }
  return ways;
}

function jsWays(lines: readonly string[], at: number): Pick<ChangedCondition, 'then' | 'otherwise'> {
  const header = lines[at]!;
  const body = nextCode(lines, at, false);
  if (body === undefined) return {};
  if (!/\{\s*$/.test(header)) return { then: body + 1 };
  // The block's end, by braces from the header's own `{`: what follows it on that line says whether an else comes.
  let depth = 0;
  for (let i = at; i < lines.length; i++) {
    const line = lines[i]!;
    for (let c = 0; c < line.length; c++) {
      if (line[c] === '{') depth++;
      else if (line[c] === '}' && --depth === 0) {
        const rest = line.slice(c + 1);
        if (/^\s*else\s+if\b/.test(rest)) return { then: body + 1, otherwise: i + 1 };
        if (/^\s*else\s*\{\s*$/.test(rest)) {
          const elseBody = nextCode(lines, i, false);
          return elseBody === undefined ? { then: body + 1 } : { then: body + 1, otherwise: elseBody + 1 };
        }
        return { then: body + 1 };
      }
    }
  }
  return { then: body + 1 };
}

/** The `if`/`elif`/`while`/`for` headers a change wrote, with where each leads. */
export function changedConditions(before: string, after: string, python: boolean): ChangedCondition[] {
  const lines = after.split('\n');
  const map = lineMapOf(before, after);
  const kept = new Set(
    before
      .split('\n')
      .map((_, i) => map(i + 1))
      .filter((n) => n !== undefined),
  );
  const found: ChangedCondition[] = [];
  lines.forEach((line, i) => {
    if (kept.has(i + 1)) return;
    const header = (python ? PY_HEADER : JS_HEADER).exec(line);
    if (!header) return;
    const kind = header[1] === 'if' || header[1] === 'elif' ? 'branch' : 'loop';
    found.push({ line: i + 1, kind, ...(python ? pythonWays(lines, i) : jsWays(lines, i)) });
  });
  return found;
}

/**
 * A changed condition that went only one way over everything that ran it (the tests
 * and the failing call): the branch never taken, or never left; the loop never
 * entered. Such a change turned code off for every known input rather than telling
 * the failing one apart. A condition that never ran says nothing.
 */
export function constantConditions(file: string, conditions: readonly ChangedCondition[], ran: ReadonlySet<number>): string[] {
  const reasons: string[] = [];
  for (const condition of conditions) {
    if (!ran.has(condition.line)) continue;
    if (condition.then !== undefined && !ran.has(condition.then)) {
      reasons.push(`${file}:${condition.line}: the changed ${condition.kind === 'loop' ? 'loop is never entered' : 'condition never holds'} in any test or the failing call`);
    } else if (condition.kind === 'branch' && condition.otherwise !== undefined && !ran.has(condition.otherwise)) {
      reasons.push(`${file}:${condition.line}: the changed condition always holds in every test and the failing call`);
    }
  }
  return reasons;
}

const WORDS = new Set(['not', 'and', 'or', 'is', 'in', 'None', 'True', 'False', 'null', 'undefined', 'true', 'false', 'typeof', 'instanceof', 'void']);

/**
 * Whether a line the change wrote differs from the original's line of the same number
 * only in names (identifiers, not operator words such as `not`, `is`, `None`): the
 * condition reads other data with the same sense, rather than being flipped or widened.
 */
export function onlyNamesChanged(text: { before: string; after: string | null } | undefined, line: number): boolean {
  if (!text?.after) return false;
  const before = text.before.split('\n');
  const after = text.after.split('\n');
  if (before.length !== after.length) return false;
  const tokens = (l: string | undefined): string[] => (l ?? '').match(/[A-Za-z_$][\w$]*|\d+|\S/g) ?? [];
  const [a, b] = [tokens(before[line - 1]), tokens(after[line - 1])];
  if (a.length !== b.length) return false;
  const name = (t: string): boolean => /^[A-Za-z_$][\w$]*$/.test(t) && !WORDS.has(t);
  const differ = a.map((t, i) => [t, b[i]!] as const).filter(([x, y]) => x !== y);
  return differ.length > 0 && differ.every(([x, y]) => name(x) && name(y));
}
