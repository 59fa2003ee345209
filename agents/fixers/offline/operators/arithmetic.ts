import ts from 'typescript';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { swapOperators } from './common.ts';

const SWAPS: Partial<Record<ts.SyntaxKind, readonly string[]>> = {
  [ts.SyntaxKind.PlusToken]: ['-'],
  [ts.SyntaxKind.MinusToken]: ['+'],
  [ts.SyntaxKind.AsteriskToken]: ['/'],
  [ts.SyntaxKind.SlashToken]: ['*'],
  [ts.SyntaxKind.PercentToken]: ['/'],
  [ts.SyntaxKind.PlusEqualsToken]: ['-='],
  [ts.SyntaxKind.MinusEqualsToken]: ['+='],
  [ts.SyntaxKind.AsteriskEqualsToken]: ['/='],
  [ts.SyntaxKind.SlashEqualsToken]: ['*='],
  // Bit manipulation: a mask is read with `&`, set with `|`, toggled with `^`; a shift has a direction.
  [ts.SyntaxKind.AmpersandToken]: ['|', '^'],
  [ts.SyntaxKind.BarToken]: ['&', '^'],
  [ts.SyntaxKind.CaretToken]: ['&', '|'],
  [ts.SyntaxKind.LessThanLessThanToken]: ['>>'],
  [ts.SyntaxKind.GreaterThanGreaterThanToken]: ['<<'],
  [ts.SyntaxKind.AmpersandEqualsToken]: ['|=', '^='],
  [ts.SyntaxKind.BarEqualsToken]: ['&=', '^='],
  [ts.SyntaxKind.CaretEqualsToken]: ['&=', '|='],
};

/** Text, not a number: `+` that joins strings is no arithmetic to swap. */
const texty = (e: ts.Expression): boolean => ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e);

/** A wrong arithmetic or bitwise operator (`+` for `-`, `*` for `/`, `^` for `&`), one token; a string concatenation is left alone. */
export const arithmetic: Template = {
  name: 'arithmetic',
  propose: (site: Site): TemplateFix[] => swapOperators('arithmetic', site, SWAPS, (b) => b.operatorToken.kind === ts.SyntaxKind.PlusToken && (texty(b.left) || texty(b.right))),
};
