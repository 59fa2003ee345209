import ts from 'typescript';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { conditionOf, fix, needsParens, onlyThrows, PREFER, replace } from './common.ts';

/**
 * A condition the wrong way round: `if (c)` for `if (!c)`, a `!c` for `c`. It can turn
 * a crash into a skipped branch, so it ranks after every other family, and an `if`
 * whose only effect is to throw is left alone.
 */
export const negate: Template = {
  name: 'negate',
  propose(site: Site): TemplateFix[] {
    const condition = conditionOf(site);
    if (!condition) return [];
    const owner = condition.parent;
    if (ts.isIfStatement(owner) && onlyThrows(owner.thenStatement)) return [];
    const sf = site.sf;
    const before = condition.getText(sf);
    const after =
      ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken
        ? ts.isParenthesizedExpression(condition.operand)
          ? condition.operand.expression.getText(sf)
          : condition.operand.getText(sf)
        : needsParens(condition)
          ? `!(${before})`
          : `!${before}`;
    return [fix('negate', site, [replace(sf, condition, after)], `condition negated: \`${before}\` became \`${after}\``, PREFER.silencing)];
  },
};
