import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER, replace } from './common.ts';

/** Replacements tried per undefined name: the closest spellings only. */
const PER_NAME = 3;

const NOT_DEFINED = /^([\w$]+) is not defined/;

/** Another language's spelling of JavaScript's constants: no edit distance finds them. */
const ALIASES: Readonly<Record<string, string>> = { None: 'null', nil: 'null', NULL: 'null', Nothing: 'null' };

/** JavaScript's literal words, which no binding declares. */
const LITERALS = ['true', 'false', 'null', 'undefined', 'NaN', 'Infinity'];

/**
 * Edits (insert, delete, replace, swap of neighbours) from one name to the other: the
 * optimal string alignment distance, as the Python side counts it, so a swapped pair
 * (`lenght`) is one edit in both languages.
 */
export function distance(a: string, b: string): number {
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

/** The known names spelt like `name`, closest first: case alone before any edit; one edit for a name of up to four letters, two for a longer one. */
export function closest(name: string, known: readonly string[]): string[] {
  const limit = name.length <= 4 ? 1 : 2;
  const scored: [number, number, string][] = [];
  known.forEach((other, order) => {
    // `list1` and `list` are two names by intent (a numbered one), not a slip.
    if (other === name || other.replace(/\d+$/, '') === name.replace(/\d+$/, '')) return;
    const d = other.toLowerCase() === name.toLowerCase() ? 0 : distance(name, other);
    if (d <= limit && d < name.length) scored.push([d, order, other]);
  });
  const alias = ALIASES[name];
  if (alias) scored.push([0, -1, alias]);
  return scored.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, , other]) => other);
}

/** The defined names a use may be a misspelling of, closest first; none when the error does not name it as undefined or a binding in scope has it. */
export function spellingsOf(site: Site, id: ts.Identifier): string[] {
  const name = site.error?.type === 'ReferenceError' ? NOT_DEFINED.exec(site.error.message)?.[1] : undefined;
  if (!name || id.text !== name || Object.hasOwn(globalThis, name) || !isUse(id)) return [];
  const scope = bindingsAt(site.sf, id).map((b) => b.name);
  if (scope.includes(name)) return [];
  return closest(name, [...new Set([...scope, ...LITERALS, ...Object.getOwnPropertyNames(globalThis)])]).slice(0, PER_NAME);
}

/**
 * The undefined name: the identifier a ReferenceError says nothing defines, replaced by
 * the defined name spelt closest to it. A typo (`totl` for `total`, a function's name
 * misspelt), a wrong case or another language's constant (`True`, `None`). The
 * candidates are the bindings the use sees (of any kind: variables, functions,
 * imports), the literal words and the globals; only one within a small edit distance
 * or equal but for case. Applies only to the name the error names and only where no
 * binding in scope has it: a name bound elsewhere is not misspelt.
 */
export const nameSpelling: Template = {
  name: 'name-spelling',
  propose(site: Site): TemplateFix[] {
    if (site.error?.type !== 'ReferenceError') return [];
    return descendants(site.statement, ts.isIdentifier).flatMap((id) =>
      spellingsOf(site, id).map((other) =>
        fix('name-spelling', site, [replace(site.sf, id, other)], `undefined name spelt as a defined one: \`${id.text}\` became \`${other}\``, PREFER.token),
      ),
    );
  },
};
