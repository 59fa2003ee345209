import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const SWAPS: Partial<Record<ts.SyntaxKind, string[]>> = {
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ['!=='],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ['==='],
  [ts.SyntaxKind.EqualsEqualsToken]: ['!=', '==='],
  [ts.SyntaxKind.ExclamationEqualsToken]: ['==', '!=='],
  [ts.SyntaxKind.LessThanToken]: ['>'],
  [ts.SyntaxKind.GreaterThanToken]: ['<'],
  [ts.SyntaxKind.LessThanEqualsToken]: ['>='],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ['<='],
  [ts.SyntaxKind.PlusToken]: ['-'],
  [ts.SyntaxKind.MinusToken]: ['+'],
  [ts.SyntaxKind.AsteriskToken]: ['/'],
  [ts.SyntaxKind.SlashToken]: ['*'],
  [ts.SyntaxKind.PercentToken]: ['/'],
  [ts.SyntaxKind.AmpersandAmpersandToken]: ['||'],
  [ts.SyntaxKind.BarBarToken]: ['&&', '??'],
  [ts.SyntaxKind.QuestionQuestionToken]: ['||'],
};

/** A wrong comparison, arithmetic or logical operator, swapped for its likely intent. */
export const operator: Template = {
  name: 'operator',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, ts.isBinaryExpression).flatMap((binary) => {
      const token = binary.operatorToken;
      return (SWAPS[token.kind] ?? []).map((swap) => {
        // `??` may not sit beside `||` or `&&` unparenthesised: the swapped expression is wrapped whole.
        const nullish = swap === '??' || token.kind === ts.SyntaxKind.QuestionQuestionToken;
        const edits = nullish
          ? [{ start: binary.getStart(site.sf), end: binary.getEnd(), text: `(${binary.left.getText(site.sf)} ${swap} ${binary.right.getText(site.sf)})` }]
          : [{ start: token.getStart(site.sf), end: token.getEnd(), text: swap }];
        return { template: 'operator', edits, rationale: `operator changed at ${site.file}:${site.line}: \`${token.getText(site.sf)}\` became \`${swap}\`` };
      });
    });
  },
};
