import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, onlyThrows, PREFER, replace } from './common.ts';
import { splits, subjects } from './clauses.ts';
import { narrowNullish } from './narrow-nullish.ts';
import { narrowState } from './narrow-state.ts';

const nonEmpty = (empty: string): string =>
  empty.replace(' === 0', ' !== 0').replace('.length !== 0', '.length > 0').replace(" === ''", " !== ''").replace('.length === 0', '.length > 0');

/**
 * A condition that holds too often: `x != null &&` (or a non-empty clause) about a
 * value it or its branch reads, or an `||` that loses one side; with the two specific
 * patterns first: a falsy test made a test for absence (`narrow-nullish.ts`) and a
 * clause about the state the function keeps (`narrow-state.ts`). Making a check hold
 * less often can silence it, so the generic clauses rank last and never narrow an `if`
 * whose only effect is to throw.
 */
export const conditionNarrow: Template = {
  name: 'condition-narrow',
  propose(site: Site): TemplateFix[] {
    const specific = [...narrowNullish.propose(site), ...narrowState.propose(site)];
    const found = subjects(site);
    const owner = found?.condition.parent;
    if (!found || (owner && ts.isIfStatement(owner) && onlyThrows(owner.thenStatement))) return specific;
    const sf = site.sf;
    const { condition } = found;
    const before = condition.getText(sf);
    const body = splits(condition, true) ? `(${before})` : before;
    const clauses = found.subjects.flatMap((s) => [`${s.text} != null`, ...(s.empty ? [nonEmpty(s.empty)] : [])]);
    const generic = clauses.map((clause) =>
      fix('condition-narrow', site, [replace(sf, condition, `${clause} && ${body}`)], `condition narrowed: \`${before}\` now also asks \`${clause}\``, PREFER.silencing),
    );
    for (const or of descendants(condition, ts.isBinaryExpression).filter((b) => b.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      for (const kept of [or.left, or.right]) {
        generic.push(
          fix('condition-narrow', site, [replace(sf, or, kept.getText(sf))], `condition narrowed: \`${or.getText(sf)}\` became \`${kept.getText(sf)}\``, PREFER.silencing),
        );
      }
    }
    return [...specific, ...generic];
  },
};
