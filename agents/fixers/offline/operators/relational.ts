import ts from 'typescript';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { swapOperators } from './common.ts';

/** Strictness first (an off-by-one at the bound), then the other direction, then equality's negation. */
const SWAPS: Partial<Record<ts.SyntaxKind, readonly string[]>> = {
  [ts.SyntaxKind.LessThanToken]: ['<=', '>'],
  [ts.SyntaxKind.LessThanEqualsToken]: ['<', '>='],
  [ts.SyntaxKind.GreaterThanToken]: ['>=', '<'],
  [ts.SyntaxKind.GreaterThanEqualsToken]: ['>', '<='],
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ['!=='],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ['==='],
  [ts.SyntaxKind.EqualsEqualsToken]: ['!=', '==='],
  [ts.SyntaxKind.ExclamationEqualsToken]: ['==', '!=='],
};

/** A wrong comparison (`<` for `<=`, `===` for `!==`): one token, at any comparison of the site. */
export const relational: Template = {
  name: 'relational',
  propose: (site: Site): TemplateFix[] => swapOperators('relational', site, SWAPS),
};
