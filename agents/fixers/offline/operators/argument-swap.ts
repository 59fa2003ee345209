import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, replace } from './common.ts';

/** Two arguments of a call in the wrong order (`slice(end, start)`, `compare(b, a)`): neighbours first, then any pair; spreads and equal texts are left alone. */
export const argumentSwap: Template = {
  name: 'argument-swap',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    return [...descendants(site.statement, ts.isCallExpression), ...descendants(site.statement, ts.isNewExpression)].flatMap((call) => {
      const args = [...(call.arguments ?? [])];
      const pairs: [number, number][] = [];
      for (let gap = 1; gap < args.length; gap++) for (let i = 0; i + gap < args.length; i++) pairs.push([i, i + gap]);
      return pairs.flatMap(([i, j]) => {
        const [a, b] = [args[i]!, args[j]!];
        if (ts.isSpreadElement(a) || ts.isSpreadElement(b) || a.getText(sf) === b.getText(sf)) return [];
        return [
          fix(
            'argument-swap',
            site,
            [replace(sf, a, b.getText(sf)), replace(sf, b, a.getText(sf))],
            `arguments swapped: \`${call.expression.getText(sf)}\` now gets \`${b.getText(sf)}\` before \`${a.getText(sf)}\``,
          ),
        ];
      });
    });
  },
};
