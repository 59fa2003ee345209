import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER, repeated, replace } from './common.ts';

/** Replacements tried per misspelt name: the closest spellings only. */
export const PER_NAME = 3;

const NOT_DEFINED = /^([\w$]+) is not defined/;

/** The name a ReferenceError says nothing defines, if the site's error is one. */
const undefinedName = (site: Site): string | undefined => (site.error?.type === 'ReferenceError' ? NOT_DEFINED.exec(site.error.message)?.[1] : undefined);

/** JavaScript's constant words, which no binding declares. */
const CONSTANTS = ['true', 'false', 'null', 'undefined', 'NaN', 'Infinity'];

/** Another language's spelling of JavaScript's constants: no edit distance finds them. */
const ALIASES: Readonly<Record<string, string>> = { None: 'null', nil: 'null', NULL: 'null', Nothing: 'null' };

/**
 * The globals a plugin's code may mean: ECMAScript's and the few every Node module
 * has. A fixed list, not steward's own `globalThis`, whose names depend on how it runs.
 */
// prettier-ignore
const GLOBALS = [
  'Array', 'ArrayBuffer', 'BigInt', 'Boolean', 'Buffer', 'DataView', 'Date', 'Error', 'EvalError', 'Intl', 'JSON', 'Map', 'Math',
  'Number', 'Object', 'Promise', 'Proxy', 'RangeError', 'ReferenceError', 'Reflect', 'RegExp', 'Set', 'String', 'Symbol',
  'SyntaxError', 'TextDecoder', 'TextEncoder', 'TypeError', 'URIError', 'URL', 'URLSearchParams', 'WeakMap', 'WeakSet',
  'clearInterval', 'clearTimeout', 'console', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'process', 'queueMicrotask', 'setInterval', 'setTimeout', 'structuredClone',
];

/**
 * Edits (insert, delete, replace, swap of neighbours) from one name to the other: the
 * optimal string alignment distance, as the Python side counts it, so a swapped pair
 * (`lenght`) is one edit in both languages.
 */
function distance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

const numberless = (name: string): string => name.replace(/\d+$/, '').toLowerCase();

/** The edits between two names when one may be a slip for the other: equal but for case, or one edit for three or four letters, two for more. */
export function speltLike(name: string, other: string): number | undefined {
  // `list1` and `list` are two names by intent (a numbered one), not a slip.
  const numbered = /\d$/.test(name) || /\d$/.test(other);
  if (other === name || (numbered && numberless(other) === numberless(name))) return undefined;
  if (other.toLowerCase() === name.toLowerCase()) return 0;
  const limit = name.length < 3 ? 0 : name.length <= 4 ? 1 : 2;
  const d = distance(name, other);
  return d > 0 && d <= limit ? d : undefined;
}

/** Whether a global may stand where `id` is used: called (or constructed), for a function; read a property of, for one that has it. */
function fits(global: string, id: ts.Identifier): boolean {
  const value: unknown = (globalThis as Record<string, unknown>)[global];
  const parent = id.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === id) return typeof value === 'function';
  if (ts.isPropertyAccessExpression(parent) && parent.expression === id)
    return (typeof value === 'object' || typeof value === 'function') && value !== null && parent.name.text in value;
  return false;
}

/**
 * The defined names the uses `ids` of one name may be a misspelling of, closest first:
 * names bound where they are (of any kind), then globals that fit every use, then the
 * constants by case or alias. None when the error does not name it as undefined or a
 * binding in scope has it.
 */
export function spellingsOf(site: Site, ids: readonly ts.Identifier[]): string[] {
  const name = undefinedName(site);
  const first = ids[0];
  if (!name || !first || ids.some((id) => id.text !== name || !isUse(id)) || GLOBALS.includes(name) || CONSTANTS.includes(name)) return [];
  const bound = bindingsAt(site.sf, first).map((b) => b.name);
  if (bound.includes(name)) return [];
  const scored: [number, number, number, string][] = [];
  bound.forEach((other, order) => {
    const d = speltLike(name, other);
    if (d !== undefined) scored.push([d, 0, order, other]);
  });
  GLOBALS.forEach((other, order) => {
    const d = speltLike(name, other);
    if (d !== undefined && ids.every((id) => fits(other, id))) scored.push([d, 1, order, other]);
  });
  CONSTANTS.forEach((other, order) => {
    if (other.toLowerCase() === name.toLowerCase() || ALIASES[name] === other) scored.push([0, 2, order, other]);
  });
  return scored
    .sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2])
    .map(([, , , other]) => other)
    .slice(0, PER_NAME);
}

/** Whether a use reads the name as a sequence: indexed, iterated, or its `length` read. */
const asSequence = (id: ts.Identifier): boolean => {
  const parent = id.parent;
  if (ts.isElementAccessExpression(parent) || ts.isForOfStatement(parent)) return parent.expression === id;
  return ts.isPropertyAccessExpression(parent) && parent.expression === id && parent.name.text === 'length';
};

/**
 * For an undefined name spelt like nothing defined, read as a sequence (`list1[i]`
 * where the parameter `seq` was meant: a name from another version of the code), the
 * function's own variables it reads as sequences elsewhere, parameters first: the
 * ingredient is usually there, and of the same kind.
 */
function standIns(site: Site, ids: readonly ts.Identifier[]): string[] {
  const name = undefinedName(site);
  const first = ids[0];
  const fn = first && enclosingFunction(first);
  if (!name || !first || !fn || !ids.some(asSequence)) return [];
  const own = bindingsAt(site.sf, first).filter((b) => b.local && (ts.isParameter(b.declaration) || ts.isVariableDeclaration(b.declaration)));
  if (own.some((b) => b.name === name)) return [];
  const sequences = new Set(
    descendants(fn, ts.isIdentifier)
      .filter((id) => id.text !== name && asSequence(id))
      .map((id) => id.text),
  );
  return own
    .filter((b) => sequences.has(b.name))
    .sort((a, b) => Number(ts.isParameter(b.declaration)) - Number(ts.isParameter(a.declaration)))
    .map((b) => b.name)
    .slice(0, PER_NAME);
}

/**
 * The undefined name: the identifier a ReferenceError says nothing defines, replaced at
 * every use in the statement by the defined name spelt closest to it. A typo (`totl` for
 * `total`, a function's name misspelt), a wrong case or another language's constant
 * (`True`, `None`). The candidates are the bindings the use sees, of any kind; a global
 * only where the use fits it (called, for a function; read a property of, for one that
 * has it: `Mtah.max` -> `Math.max`); elsewhere only the constants, by case or alias.
 * A name with no defined one that close, read as a sequence, gets instead the
 * function's own variables read as sequences (`standIns`); anything else gets nothing
 * (a definition left out is no slip of a name).
 */
export const nameSpelling: Template = {
  name: 'name-spelling',
  propose(site: Site): TemplateFix[] {
    const name = undefinedName(site);
    if (!name) return [];
    // A use the error's name is undefined at: not one inside a block that binds it (a loop's own `let`).
    const use = (node: ts.Node): node is ts.Identifier => ts.isIdentifier(node) && node.text === name && isUse(node) && !bindingsAt(site.sf, node).some((b) => b.name === name);
    return repeated(site, descendants(site.statement, use), use).flatMap((ids) => {
      const close = spellingsOf(site, ids);
      const spelt = close.map((other) =>
        fix(
          'name-spelling',
          site,
          ids.map((id) => replace(site.sf, id, other)),
          `undefined name spelt as a defined one: \`${name}\` became \`${other}\``,
          PREFER.token,
        ),
      );
      if (close.length > 0) return spelt;
      return standIns(site, ids).map((other) =>
        fix(
          'name-spelling',
          site,
          ids.map((id) => replace(site.sf, id, other)),
          `undefined name, spelt like no defined one, replaced by a variable of the function: \`${name}\` became \`${other}\``,
          PREFER.replace,
        ),
      );
    });
  },
};
