import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix } from './common.ts';

/**
 * A generator that yields a whole iterable where it meant to yield its items:
 * `yield rows(x)` for `yield* rows(x)`. Only a yield of a call, a name or an array.
 */
export const yieldFrom: Template = {
  name: 'yield-from',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    return descendants(site.statement, ts.isYieldExpression)
      .filter(
        (y) =>
          !y.asteriskToken &&
          y.expression &&
          (ts.isCallExpression(y.expression) || ts.isIdentifier(y.expression) || ts.isArrayLiteralExpression(y.expression) || ts.isPropertyAccessExpression(y.expression)),
      )
      .map((y) => {
        const at = y.getStart(sf) + 'yield'.length;
        return fix('yield-from', site, [{ start: at, end: at, text: '*' }], `delegating yield: \`${y.getText(sf).slice(0, 60)}\` now yields each item with \`yield*\``);
      });
  },
};
