import type { Hunk } from './hunks.ts';

/**
 * A change that makes a failure go away without making the code right: the
 * anti-patterns of the program-repair literature (Tan et al., "Anti-patterns in
 * search-based program repair", FSE 2016), plus the quietest one seen in practice, a
 * missing value replaced by an empty one. `reject`: never a fix; otherwise the
 * candidate ranks after every clean one and the reviewer is told why.
 */
export interface Pattern {
  id: string;
  reject: boolean;
  /** How far down a candidate with it ranks, among those the checks warn of (1, or 2 for the quietest). */
  rank: number;
  /** The reason as the reviewer reads it. */
  why: string;
  matches(hunk: Hunk, python: boolean, failure?: Failure): boolean;
}

/** The error the change is meant to fix, when the caller knows it. */
export interface Failure {
  type: string;
  message: string;
}

const code = (line: string, python: boolean): string =>
  line
    // A string's contents are not code; an empty one stays empty (it is what an empty default is made of). Strings first, so a `//` inside one is no comment.
    .replace(/(["'`])((?:\\.|(?!\1).)*)\1/g, (_m, _q: string, body: string) => (body === '' ? '""' : '"s"'))
    .replace(python ? /#.*$/ : /\/\/.*$/, '')
    .trim();

/** Lines added that match `re` where no removed line of the hunk did: the change brought it in. */
function introduces(hunk: Hunk, python: boolean, re: RegExp): boolean {
  const before = hunk.removed.some((l) => re.test(code(l, python)));
  return !before && hunk.added.some((l) => re.test(code(l, python)));
}

/**
 * A `catch` the change adds whose block does nothing but return or carry on: no
 * `throw`, no call but a log's. The block is read to its closing brace across lines.
 */
function swallowsInJs(hunk: Hunk): boolean {
  if (hunk.removed.some((l) => /\bcatch\b/.test(code(l, false)))) return false;
  const text = hunk.added.map((l) => code(l, false)).join('\n');
  for (const match of text.matchAll(/\bcatch\s*(\([^)]*\))?\s*\{/g)) {
    let depth = 1;
    let at = (match.index ?? 0) + match[0].length;
    const start = at;
    for (; at < text.length && depth > 0; at++) {
      if (text[at] === '{') depth++;
      else if (text[at] === '}') depth--;
    }
    const body = text.slice(start, at - 1).replace(/console\.\w+\([^)]*\);?/g, '');
    if (!/\bthrow\b/.test(body) && /^\s*((return\b[^;]*|continue|break);?\s*)?$/.test(body)) return true;
  }
  return false;
}

/**
 * A size compared so that the answer never depends on it: a length or count is never
 * below zero, so `< 0` is always false and `>= 0` always true.
 */
const CONSTANT_SIZE_JS = /\.(length|size)\s*(<|>=)\s*0(?![\w.])|(?<![\w.])0\s*(>|<=)\s*[\w.$]+\.(length|size)\b/;
const CONSTANT_SIZE_PY = /\blen\([^()]*\)\s*(<|>=)\s*0(?![\w.])|(?<![\w.])0\s*(>|<=)\s*len\(/;

/**
 * The check that raises, turned from "either is wrong" into "both are wrong": a
 * two-sided bounds check (`x < lo || x > hi` then `throw`) becomes one that can
 * hardly hold, so the validation that reported the failure stops reporting it. The
 * defect is where the value came from, not in the check.
 */
function checkWeakened(hunk: Hunk, python: boolean): boolean {
  const raises = python ? /\braise\b/ : /\bthrow\b/;
  const either = python ? /\bor\b/ : /\|\|/;
  const both = python ? /\band\b/ : /&&/;
  const guard = (l: string): boolean => /^(if|elif|\}?\s*else\s+if)\b/.test(code(l, python).replace(/^\}\s*/, ''));
  const weakened = (before: string, after: string): boolean => {
    const [a, b] = [code(before, python), code(after, python)];
    // The same line but for the one operator: what the operator families produce.
    return either.test(a) && both.test(b) && a.replace(either, '') === b.replace(both, '');
  };
  // A guard whose throw is on its line, or (a block) in the lines the hunk keeps after it.
  return hunk.removed.some((before, i) => {
    const after = hunk.added[i];
    if (after === undefined || !guard(before) || !weakened(before, after)) return false;
    return raises.test(code(before, python)) || hunk.following.slice(0, 2).some((l) => raises.test(code(l, python)));
  });
}

/** A value compared with itself by order: `x < x` is always false, `x >= x` always true (`x !== x`, the NaN test, is left alone). */
/**
 * An update that adds the variable to itself as well: `x += x + y` makes `x` hold
 * `2x + y`, doubling what it gathered on every pass: the slip of writing `x += x + y`
 * for `x = x + y` or `x += y`. A change that leaves such a line written has mended
 * something else on it.
 */
const SELF_OPERAND = /^([A-Za-z_$][\w$]*)\s*\+=\s*\1\s*\+/;

const SELF_COMPARED = /(?<![\w.$])([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(<=?|>=?)\s*\1(?![\w$(.[])/;

/** Python's `range(a, 0)`: empty for any start that is not negative, so the loop never runs. */
const EMPTY_RANGE = /\brange\(\s*(?!-)[^,]+,\s*0\s*\)/;

/**
 * Python's `range(-1, n)`, counting up from -1: its first index reads the sequence's
 * last item instead of raising, so an index error goes away and a wrong item is read.
 * A third argument (a step) is left alone: `range(-1, -n - 1, -1)` walks backwards on purpose.
 */
function negativeRangeStart(line: string): boolean {
  for (const match of line.matchAll(/\brange\(\s*-\s*1\s*,/g)) {
    let depth = 1;
    let commas = 1;
    for (let at = (match.index ?? 0) + match[0].length; at < line.length && depth > 0; at++) {
      const c = line[at];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (c === ',' && depth === 1) commas++;
    }
    if (commas === 1) return true;
  }
  return false;
}

const ORDER = /(<=?|>=?)/g;
const direction = (op: string): string => (op.startsWith('<') ? '<' : '>');

/**
 * A loop's header with its comparison turned the other way (`i < n` to `i > n`): the
 * loop that ran now never runs (or never stops), which ends a hang or a crash inside
 * it by skipping the work. A bound moved by one (`<` to `<=`) keeps the direction.
 */
function loopReversed(hunk: Hunk, python: boolean): boolean {
  const header = python ? /^(while|for)\b/ : /^(while|for|\}?\s*while)\b|^do\b/;
  return hunk.removed.some((before, i) => {
    const after = hunk.added[i];
    if (after === undefined) return false;
    const [a, b] = [code(before, python), code(after, python)];
    if (!header.test(a) || !header.test(b)) return false;
    const opsA = [...a.matchAll(ORDER)].map((m) => m[0]);
    const opsB = [...b.matchAll(ORDER)].map((m) => m[0]);
    if (opsA.length !== opsB.length || a.replace(ORDER, '<') !== b.replace(ORDER, '<')) return false;
    return opsA.some((op, k) => direction(op) !== direction(opsB[k] ?? op));
  });
}

/** The clauses of a line's `and`/`or` chains, trimmed of the condition's own brackets and colon. */
function clauses(line: string, python: boolean): string[] {
  const body = line.replace(/^(if|elif|while|\}?\s*else\s+if|return)\b/, '').replace(/[:{]\s*$/, '');
  return body.split(python ? /\s+(?:and|or)\s+/ : /\s*(?:&&|\|\|)\s*/).map((c) => c.replace(/^[\s(]+|[\s)]+$/g, ''));
}

/**
 * A clause made the copy of another in the same chain (`x != a[i+1] and x != a[i-1]`
 * to `x != a[i-1] and x != a[i-1]`): the condition says one thing twice and has lost
 * what the changed clause checked.
 */
function clauseDuplicated(hunk: Hunk, python: boolean): boolean {
  const repeats = (line: string): boolean => {
    const list = clauses(code(line, python), python).filter(Boolean);
    return list.length > 1 && new Set(list).size < list.length;
  };
  return !hunk.removed.some(repeats) && hunk.added.some(repeats);
}

const EMPTY_JS = String.raw`(?:''|""|\{\s*\}|\[\s*\]|0|false|null|undefined)`;

/**
 * A guard the change adds that returns the very value it just found empty (`if not xs:
 * return xs`, `if (!xs) return xs;`): a constant empty answer in disguise, as early
 * as `return []` would be.
 */
function returnsTheEmptyValue(hunk: Hunk, python: boolean): boolean {
  const text = hunk.added.map((l) => code(l, python)).join('\n');
  const name = String.raw`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)`;
  const guards = python
    ? [
        new RegExp(String.raw`(?:^|\n)if\s+not\s+${name}\s*:\s*\n?\s*return\s+\1\s*(?:\n|$)`),
        new RegExp(String.raw`(?:^|\n)if\s+(?:len\(\s*${name}\s*\)\s*==\s*0|${name}\s*(?:==\s*(?:\[\s*\]|""|\(\s*\))|is\s+None))\s*:\s*\n?\s*return\s+(?:\1|\2)\s*(?:\n|$)`),
      ]
    : [
        new RegExp(String.raw`(?:^|\n)if\s*\(\s*!\s*${name}\s*\)\s*\{?\s*\n?\s*return\s+\1\s*;?`),
        new RegExp(String.raw`(?:^|\n)if\s*\(\s*${name}(?:\.length\s*===?\s*0|\s*===?\s*(?:null|undefined))\s*\)\s*\{?\s*\n?\s*return\s+\1\s*;?`),
      ];
  return guards.some((re) => re.test(text));
}
const EMPTY_PY = String.raw`(?:""|\{\s*\}|\[\s*\]|\(\s*\)|0|False|None)`;

const DIVISION = /\/\/|\/|%/g;

/**
 * On a division by zero, the division itself turned into another operation
 * (`total / count` to `total * count`): the zero is still there, the error is gone,
 * and every other answer changes with it. The fix is where the zero comes from.
 */
function divisionRemoved(hunk: Hunk, python: boolean, failure?: Failure): boolean {
  if (!python || !failure || !/ZeroDivision/.test(failure.type)) return false;
  return hunk.removed.some((before, i) => {
    const after = hunk.added[i];
    if (after === undefined) return false;
    const [a, b] = [code(before, true), code(after, true)];
    const divisions = (t: string): number => t.match(DIVISION)?.length ?? 0;
    if (divisions(b) >= divisions(a)) return false;
    // The same line but for operators: what an operator swap produces.
    const bare = (t: string): string => t.replace(/\/\/|[-+*/%]|\*\*/g, '~');
    return bare(a) === bare(b);
  });
}

export const PATTERNS: readonly Pattern[] = [
  {
    id: 'trivial-condition',
    reject: true,
    rank: 2,
    why: 'it makes a condition constant, so a branch is always or never taken for every input',
    matches: (hunk, python) =>
      python
        ? introduces(hunk, true, /\b(if|elif|while)\s+(True|False|None|0|1)\s*:/) || introduces(hunk, true, /\b(and\s+False|or\s+True)\b/)
        : introduces(hunk, false, /\b(if|while)\s*\(\s*(true|false|null|undefined|0|1)\s*\)/) || introduces(hunk, false, /(&&\s*false|\|\|\s*true)\b/),
  },
  {
    id: 'clause-duplicated',
    reject: true,
    rank: 2,
    why: 'it makes one clause of a condition a copy of another, so the condition no longer checks what the changed clause did',
    matches: clauseDuplicated,
  },
  {
    id: 'self-comparison',
    reject: true,
    rank: 2,
    why: 'it compares a value with itself, so the condition is the same for every input',
    matches: (hunk, python) => introduces(hunk, python, SELF_COMPARED),
  },
  {
    id: 'self-operand',
    reject: true,
    rank: 2,
    why: 'it writes an update that adds the variable to itself as well (`x += x + …`), which doubles what it held on every pass',
    matches: (hunk, python) => hunk.added.some((l) => SELF_OPERAND.test(code(l, python))),
  },
  {
    id: 'empty-range',
    reject: true,
    rank: 2,
    why: 'it makes a range that ends at 0 from a start that is not negative, so the loop never runs',
    matches: (hunk, python) => python && introduces(hunk, true, EMPTY_RANGE),
  },
  {
    id: 'negative-range-start',
    reject: true,
    rank: 2,
    why: 'it starts a counting-up range at -1, whose first index reads the last item instead of raising',
    matches: (hunk, python) => python && !hunk.removed.some((l) => negativeRangeStart(code(l, true))) && hunk.added.some((l) => negativeRangeStart(code(l, true))),
  },
  {
    id: 'division-removed',
    reject: true,
    rank: 2,
    why: 'on a division by zero, it turns the division into another operation: the zero is still there and every other answer changes',
    matches: divisionRemoved,
  },
  {
    id: 'loop-reversed',
    reject: true,
    rank: 2,
    why: "it turns a loop's comparison the other way, so the loop is skipped (or never ends) instead of doing its work right",
    matches: loopReversed,
  },
  {
    id: 'constant-size-check',
    reject: true,
    rank: 2,
    why: 'it compares a length with zero so that the result never changes (a length is never below zero)',
    matches: (hunk, python) => introduces(hunk, python, python ? CONSTANT_SIZE_PY : CONSTANT_SIZE_JS),
  },
  {
    id: 'check-weakened',
    reject: true,
    rank: 2,
    why: 'it turns the check that raised the error from "either bound is crossed" into "both are", so it stops reporting the bad value instead of fixing where it came from',
    matches: checkWeakened,
  },
  {
    id: 'swallowed-error',
    reject: true,
    rank: 2,
    why: 'it catches the error and carries on as if nothing happened',
    matches: (hunk, python) =>
      python
        ? introduces(hunk, true, /^except\b[^:]*:\s*(pass|return(\s+\S+)?|continue)?\s*$/) &&
          hunk.added.some((l) => /^\s*(pass|return\b|continue)/.test(l) || /:\s*(pass|return|continue)/.test(l))
        : swallowsInJs(hunk),
  },
  {
    id: 'early-return',
    reject: false,
    rank: 1,
    why: 'it returns a constant or empty value early, before the code that failed',
    matches: (hunk, python) =>
      (python
        ? introduces(hunk, true, new RegExp(String.raw`^(if\b.*:\s*)?return(\s+${EMPTY_PY})?\s*$`))
        : introduces(hunk, false, new RegExp(String.raw`(^|[;{)]\s*)return(\s+${EMPTY_JS})?\s*;?\s*\}?\s*$`))) || returnsTheEmptyValue(hunk, python),
  },
  {
    id: 'removed-error',
    reject: false,
    rank: 1,
    why: 'it removes a statement that raised an error',
    matches: (hunk, python) => {
      const raise = python ? /^\s*raise\b/ : /^\s*throw\b/;
      return hunk.removed.some((l) => raise.test(code(l, python))) && !hunk.added.some((l) => raise.test(code(l, python)));
    },
  },
  {
    id: 'empty-default',
    reject: false,
    rank: 1,
    why: 'it replaces a missing value with an empty one, so the failing input flows on to a plausible-looking answer',
    matches: (hunk, python) =>
      python
        ? introduces(hunk, true, new RegExp(String.raw`\bor\s+${EMPTY_PY}(?![\w.])`)) || introduces(hunk, true, new RegExp(String.raw`\.get\([^,()]+,\s*${EMPTY_PY}\s*\)`))
        : introduces(hunk, false, new RegExp(String.raw`(\?\?|\|\|)\s*${EMPTY_JS}(?![\w.])`)),
  },
  {
    id: 'undefined-flow',
    reject: false,
    // Below an explicit empty default: nothing decided what the value should be, and a field that is undefined vanishes from the JSON answer.
    rank: 2,
    why: 'it reads the missing value with optional access and no default, so it flows on as undefined (a field that vanishes from the answer)',
    matches: (hunk, python) => (python ? introduces(hunk, true, /\bgetattr\([^,()]+,[^,()]+,\s*None\s*\)/) : introduces(hunk, false, /\?\.(?!.*\?\?)/)),
  },
  {
    id: 'loop-cut',
    reject: false,
    rank: 1,
    why: 'it leaves a loop early',
    matches: (hunk, python) => introduces(hunk, python, /^break\b/),
  },
  {
    id: 'filter-changed',
    reject: false,
    rank: 1,
    why: "it changes a filter's predicate, which can make it keep nothing (or everything)",
    matches: (hunk, python) => {
      const filter = python ? /\bfilter\(|\bif\b.*\bfor\b|\bfor\b.*\bif\b/ : /\.(filter|find|some|every)\(/;
      return hunk.removed.some((l) => filter.test(l)) && hunk.added.some((l) => filter.test(l));
    },
  },
];
