import ts from 'typescript';
import { descendants, text } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/** Two neighbouring arguments in the wrong order: `slice(end, start)`, `compare(b, a)`. */
export const swappedArguments: Template = {
  name: 'swapped-arguments',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, ts.isCallExpression).flatMap((call) =>
      call.arguments.slice(1).flatMap((second, i) => {
        const first = call.arguments[i]!;
        if (ts.isSpreadElement(first) || ts.isSpreadElement(second) || text(site.sf, first) === text(site.sf, second)) return [];
        return [
          {
            template: 'swapped-arguments',
            edits: [
              { start: first.getStart(site.sf), end: first.getEnd(), text: text(site.sf, second) },
              { start: second.getStart(site.sf), end: second.getEnd(), text: text(site.sf, first) },
            ],
            rationale: `arguments swapped at ${site.file}:${site.line}: \`${call.expression.getText(site.sf)}\` now gets \`${text(site.sf, second)}\` before \`${text(site.sf, first)}\``,
          },
        ];
      }),
    );
  },
};
