import ts from 'typescript';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { swapOperators } from './common.ts';

const SWAPS: Partial<Record<ts.SyntaxKind, readonly string[]>> = {
  [ts.SyntaxKind.AmpersandAmpersandToken]: ['||'],
  [ts.SyntaxKind.BarBarToken]: ['&&', '??'],
  [ts.SyntaxKind.QuestionQuestionToken]: ['||'],
};

/** A wrong logical operator: `&&` for `||`, and `||` for `??` where 0 or '' is a value. */
export const logical: Template = {
  name: 'logical',
  propose: (site: Site): TemplateFix[] => swapOperators('logical', site, SWAPS),
};
