import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, indexedNames, isIndexed, isUse, PREFER, replace, type Binding } from './common.ts';
import { derivedName } from './name-derived.ts';
import { spellingsOf } from './name-spelling.ts';

/** Replacements tried per use: the closest names only. */
const PER_USE = 3;

/** A rough kind of what a variable holds, from its initializer: two known kinds that differ are no substitute for each other. */
function kindOf(init: ts.Expression | undefined): string | undefined {
  if (!init) return undefined;
  if (ts.isStringLiteralLike(init) || ts.isTemplateExpression(init)) return 'string';
  if (ts.isNumericLiteral(init)) return 'number';
  if (ts.isArrayLiteralExpression(init)) return 'array';
  if (ts.isObjectLiteralExpression(init)) return 'object';
  if (ts.isFunctionLike(init)) return 'function';
  if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) return 'boolean';
  return undefined;
}

/** Characters two names share at the start and the end: `endMs` and `nextMs` share "Ms". */
export function shared(a: string, b: string): number {
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return start + end;
}

const variable = (b: Binding): boolean => ts.isVariableDeclaration(b.declaration) || ts.isParameter(b.declaration);

/**
 * The wrong variable: a use of `x` where another variable in scope was meant (plastic
 * surgery: the fix's ingredient is already in the function or file). A variable derived
 * from `x` first (`name-derived.ts`), then the locals and parameters of the function,
 * then the file's, the most alike in name first. Only one of compatible use: for
 * `x.p`, a name the file also reads `.p` of; for `x[i]`, a name the file also
 * indexes; else not one of another known kind, nor one the same call already gets.
 */
export const nameReplace: Template = {
  name: 'name-replace',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const out = derivedName.propose(site);
    const readers = new Map<string, Set<string>>();
    for (const access of descendants(sf, ts.isPropertyAccessExpression)) {
      if (ts.isIdentifier(access.expression)) readers.set(access.name.text, (readers.get(access.name.text) ?? new Set()).add(access.expression.text));
    }
    const indexed = indexedNames(sf);
    for (const id of descendants(site.statement, ts.isIdentifier)) {
      if (!isUse(id) || (ts.isCallExpression(id.parent) && id.parent.expression === id) || (ts.isNewExpression(id.parent) && id.parent.expression === id)) continue;
      // A typo is repaired by its spelling (name-spelling), not by another variable: its candidates are few and sure.
      if (spellingsOf(site, [id]).length > 0) continue;
      const scope = bindingsAt(sf, id).filter(variable);
      const own = scope.find((b) => b.name === id.text);
      // A name bound nowhere in scope (a loop's index read after its loop, a typo) is what a ReferenceError names; a global is not that.
      if (!own && (Object.hasOwn(globalThis, id.text) || bindingsAt(sf, id).some((b) => b.name === id.text))) continue;
      const kind = kindOf(own?.initializer);
      const call = id.parent;
      const siblings = ts.isCallExpression(call) || ts.isNewExpression(call) ? (call.arguments ?? []).map((a) => a.getText(sf)) : [];
      // Of compatible use: a receiver of `.p` is replaced only by a name the file also reads `.p` of; any other use, by one not known to hold another kind.
      const member = ts.isPropertyAccessExpression(id.parent) && id.parent.expression === id ? id.parent.name.text : undefined;
      const index = isIndexed(id);
      const fits = (b: Binding): boolean =>
        member !== undefined ? (readers.get(member)?.has(b.name) ?? false) : index ? indexed.has(b.name) : !(kind && kindOf(b.initializer) && kindOf(b.initializer) !== kind);
      const others = scope
        .filter((b) => b.name !== id.text && !siblings.includes(b.name) && fits(b))
        .sort((a, b) => Number(b.local) - Number(a.local) || shared(b.name, id.text) - shared(a.name, id.text))
        .slice(0, PER_USE);
      for (const other of others) {
        out.push(fix('name-replace', site, [replace(sf, id, other.name)], `variable changed: \`${id.text}\` became \`${other.name}\`, which is in scope there`, PREFER.replace));
      }
    }
    return out;
  },
};
