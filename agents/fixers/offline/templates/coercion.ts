import ts from 'typescript';
import { descendants, text } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const ARITHMETIC = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);
const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken]);
const simple = (e: ts.Expression): boolean => ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e);

/**
 * Number/string coercion: an operand of arithmetic that arrives as a string ("10" + 1
 * is "101"), or one side of a strict equality whose two sides differ in type.
 */
export const coercion: Template = {
  name: 'coercion',
  propose(site: Site): TemplateFix[] {
    const out: TemplateFix[] = [];
    for (const binary of descendants(site.statement, ts.isBinaryExpression)) {
      const kind = binary.operatorToken.kind;
      const wraps = ARITHMETIC.has(kind) ? ['Number'] : EQUALITY.has(kind) ? ['Number', 'String'] : [];
      for (const operand of [binary.left, binary.right]) {
        if (!simple(operand)) continue;
        for (const wrap of wraps) {
          const shown = text(site.sf, operand);
          out.push({
            template: 'coercion',
            edits: [{ start: operand.getStart(site.sf), end: operand.getEnd(), text: `${wrap}(${shown})` }],
            rationale: `coercion added at ${site.file}:${site.line}: \`${shown}\` is read as a ${wrap === 'Number' ? 'number' : 'string'} before \`${binary.operatorToken.getText(site.sf)}\``,
          });
        }
      }
    }
    return out;
  },
};
