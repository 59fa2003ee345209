import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { shared } from './name-replace.ts';

/** How many sibling properties one access may be swapped for: a wide object must not use up a site's share. */
const MAX_SIBLINGS = 4;

/**
 * `window.endMs` where `window.nextMs` was meant: a property read where the file reads
 * a sibling property of the same object (the same receiver text), or one of the same
 * kind on another object (the same last word: `endMs`, `nextMs`). Siblings of the same
 * object come first, then the nearest in spelling. Only one the file reads in the same
 * role: a property tested as a flag is replaced by another tested as one, a value by
 * a value, so `input.accounting && 'accounting'` does not become an always-true
 * `input.currency && 'accounting'`.
 */
export const siblingProperty: Template = {
  name: 'member-replace',
  propose(site: Site): TemplateFix[] {
    const byReceiver = new Map<string, Set<string>>();
    const all = new Set<string>();
    const roles = { test: new Set<string>(), value: new Set<string>() };
    for (const access of descendants(site.sf, ts.isPropertyAccessExpression)) {
      const receiver = access.expression.getText(site.sf);
      byReceiver.set(receiver, (byReceiver.get(receiver) ?? new Set()).add(access.name.text));
      all.add(access.name.text);
      roles[roleOf(access)].add(access.name.text);
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
          // Of compatible use: a flag (`input.accounting && 'accounting'`) for a flag, a value for a value.
          const siblings = [...own, ...kin].filter((other) => roles[roleOf(access)].has(other));
          return siblings.slice(0, MAX_SIBLINGS).map((other) => ({
            template: 'member-replace',
            edits: [{ start: access.name.getStart(site.sf), end: access.name.getEnd(), text: other }],
            rationale: `property changed at ${site.file}:${site.line}: \`${receiver}.${name}\` became \`${receiver}.${other}\`, which the file reads elsewhere`,
            preference: 2,
          }));
        })
    );
  },
};

/** The last word of a camelCase or snake_case name: `Ms` of `endMs`, `at` of `created_at`. */
function lastWord(name: string): string {
  return /(?:[A-Z][a-z0-9]*|[a-z0-9]+)$/.exec(name.replace(/.*_/, ''))?.[0]?.toLowerCase() ?? name;
}

/** Whether a read is tested as a flag (`!x.p`, `if (x.p)`, `x.p && …`, `x.p ? … : …`) or used as a value. */
function roleOf(access: ts.PropertyAccessExpression): 'test' | 'value' {
  const parent = access.parent;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return 'test';
  if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === access) return 'test';
  if (ts.isConditionalExpression(parent) && parent.condition === access) return 'test';
  return ts.isBinaryExpression(parent) && parent.left === access && parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? 'test' : 'value';
}
