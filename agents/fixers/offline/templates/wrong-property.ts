import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/** How many sibling properties one access may be swapped for: a wide object must not use up a site's share. */
const MAX_SIBLINGS = 4;

/**
 * `window.endMs` where `window.nextMs` was meant: a property read where the file reads
 * a sibling property of the same object (the same receiver text), or one of the same
 * kind on another object (the same last word: `endMs`, `nextMs`). Siblings of the same
 * object come first, then the nearest in spelling.
 */
export const wrongProperty: Template = {
  name: 'wrong-property',
  propose(site: Site): TemplateFix[] {
    const byReceiver = new Map<string, Set<string>>();
    const all = new Set<string>();
    for (const access of descendants(site.sf, ts.isPropertyAccessExpression)) {
      const receiver = access.expression.getText(site.sf);
      byReceiver.set(receiver, (byReceiver.get(receiver) ?? new Set()).add(access.name.text));
      all.add(access.name.text);
    }
    return (
      descendants(site.statement, ts.isPropertyAccessExpression)
        // A write is a different mistake; a method call's siblings are other methods, not other values.
        .filter(
          (access) =>
            !(ts.isBinaryExpression(access.parent) && access.parent.left === access && access.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) &&
            !(ts.isCallExpression(access.parent) && access.parent.expression === access),
        )
        .flatMap((access) => {
          const receiver = access.expression.getText(site.sf);
          const name = access.name.text;
          const nearest = (a: string, b: string): number => shared(b, name) - shared(a, name) || a.localeCompare(b);
          const own = [...(byReceiver.get(receiver) ?? [])].filter((other) => other !== name).sort(nearest);
          const kin = [...all].filter((other) => other !== name && !own.includes(other) && lastWord(other) === lastWord(name)).sort(nearest);
          const siblings = [...own, ...kin];
          return siblings.slice(0, MAX_SIBLINGS).map((other) => ({
            template: 'wrong-property',
            edits: [{ start: access.name.getStart(site.sf), end: access.name.getEnd(), text: other }],
            rationale: `property changed at ${site.file}:${site.line}: \`${receiver}.${name}\` became \`${receiver}.${other}\`, which the file reads elsewhere`,
            preference: 2,
          }));
        })
    );
  },
};

/** Characters two names share at the start and the end: `endMs` and `nextMs` share "Ms". */
function shared(a: string, b: string): number {
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return start + end;
}

/** The last word of a camelCase or snake_case name: `Ms` of `endMs`, `at` of `created_at`. */
function lastWord(name: string): string {
  return /(?:[A-Z][a-z0-9]*|[a-z0-9]+)$/.exec(name.replace(/.*_/, ''))?.[0]?.toLowerCase() ?? name;
}
