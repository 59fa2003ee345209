import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/** `parseInt(x)` without a radix reads "08" or "0x1f" its own way: base 10 was meant. */
export const radix: Template = {
  name: 'radix',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, ts.isCallExpression)
      .filter((call) => /^(?:Number\.)?parseInt$/.test(call.expression.getText(site.sf)) && call.arguments.length === 1)
      .map((call) => {
        const arg = call.arguments[0]!;
        return {
          template: 'radix',
          edits: [{ start: arg.getEnd(), end: arg.getEnd(), text: ', 10' }],
          rationale: `radix added at ${site.file}:${site.line}: \`parseInt\` now reads base 10`,
        };
      });
  },
};
