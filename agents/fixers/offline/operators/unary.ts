import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, replace } from './common.ts';

const LOGICAL = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken]);
const operand = (e: ts.Expression): boolean => ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e) || ts.isElementAccessExpression(e);

/**
 * A `!` or `-` too many or too few: dropped where it is (`!seen` for `seen`, `-offset`
 * for `offset`), or put before one operand of `&&`/`||` (`a && b` for `a && !b`), or
 * before a number passed to a call (`slice(1)` for `slice(-1)`). `!!x` is left whole.
 */
export const unary: Template = {
  name: 'unary',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const out: TemplateFix[] = [];
    for (const u of descendants(site.statement, ts.isPrefixUnaryExpression)) {
      const bang = u.operator === ts.SyntaxKind.ExclamationToken;
      if (!(bang || u.operator === ts.SyntaxKind.MinusToken) || ts.isPrefixUnaryExpression(u.parent) || ts.isPrefixUnaryExpression(u.operand) || ts.isNumericLiteral(u.operand))
        continue;
      out.push(
        fix(
          'unary',
          site,
          [{ start: u.getStart(sf), end: u.operand.getStart(sf), text: '' }],
          `\`${bang ? '!' : '-'}\` dropped: \`${u.getText(sf)}\` became \`${u.operand.getText(sf)}\``,
        ),
      );
    }
    for (const b of descendants(site.statement, ts.isBinaryExpression)) {
      if (!LOGICAL.has(b.operatorToken.kind)) continue;
      for (const side of [b.left, b.right]) {
        if (!operand(side)) continue;
        out.push(fix('unary', site, [replace(sf, side, `!${side.getText(sf)}`)], `\`!\` added: \`${side.getText(sf)}\` became \`!${side.getText(sf)}\``));
      }
    }
    for (const call of descendants(site.statement, ts.isCallExpression)) {
      for (const arg of call.arguments) {
        if (ts.isNumericLiteral(arg) && arg.text !== '0')
          out.push(fix('unary', site, [replace(sf, arg, `-${arg.getText(sf)}`)], `\`-\` added: \`${call.expression.getText(sf)}\` now gets \`-${arg.getText(sf)}\``));
      }
    }
    return out;
  },
};
