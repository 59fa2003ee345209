import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const ROUNDING = ['round', 'ceil', 'floor', 'trunc'];

/** `Math.round` where `Math.ceil` (or floor, trunc) was meant: page counts, buckets, units. */
export const rounding: Template = {
  name: 'rounding',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, ts.isPropertyAccessExpression)
      .filter((p) => ts.isIdentifier(p.expression) && p.expression.text === 'Math' && ROUNDING.includes(p.name.text))
      .flatMap((p) =>
        ROUNDING.filter((other) => other !== p.name.text).map((other) => ({
          template: 'rounding',
          edits: [{ start: p.name.getStart(site.sf), end: p.name.getEnd(), text: other }],
          rationale: `rounding changed at ${site.file}:${site.line}: \`Math.${p.name.text}\` became \`Math.${other}\``,
        })),
      );
  },
};
