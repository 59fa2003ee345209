import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix } from './common.ts';

const COMPOUND: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.PlusEqualsToken]: '+=',
  [ts.SyntaxKind.MinusEqualsToken]: '-=',
  [ts.SyntaxKind.AsteriskEqualsToken]: '*=',
  [ts.SyntaxKind.SlashEqualsToken]: '/=',
  [ts.SyntaxKind.BarBarEqualsToken]: '||=',
  [ts.SyntaxKind.QuestionQuestionEqualsToken]: '??=',
};

/**
 * An in-place update where an assignment was meant, or the reverse: `total += x` for
 * `total = x`, `text = part` for `text += part`. Only a plain `=` to a variable or
 * property that the function also reads (an accumulator) gains `+=`.
 */
export const updateAssign: Template = {
  name: 'update-assign',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    return descendants(site.statement, ts.isBinaryExpression).flatMap((b) => {
      const token = b.operatorToken;
      const to = (text: string, what: string): TemplateFix =>
        fix('update-assign', site, [{ start: token.getStart(sf), end: token.getEnd(), text }], `${what}: \`${b.getText(sf).slice(0, 80)}\` now uses \`${text}\``);
      if (COMPOUND[token.kind]) return [to('=', 'assignment for an update')];
      if (token.kind !== ts.SyntaxKind.EqualsToken || !(ts.isIdentifier(b.left) || ts.isPropertyAccessExpression(b.left) || ts.isElementAccessExpression(b.left))) return [];
      if (ts.isObjectLiteralExpression(b.right) || ts.isArrayLiteralExpression(b.right) || ts.isFunctionLike(b.right) || b.right.kind === ts.SyntaxKind.NullKeyword) return [];
      if (!ts.isExpressionStatement(b.parent)) return [];
      // A variable started as a number or a string (an accumulator), not one first written here.
      if (ts.isIdentifier(b.left)) {
        const left = b.left;
        const init = bindingsAt(sf, b).find((d) => d.name === left.text)?.initializer;
        if (!init || !(ts.isNumericLiteral(init) || ts.isStringLiteralLike(init))) return [];
      }
      return [to('+=', 'update for an assignment')];
    });
  },
};
