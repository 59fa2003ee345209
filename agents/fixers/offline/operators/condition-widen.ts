import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER, replace } from './common.ts';
import { splits, subjects } from './clauses.ts';

/**
 * A condition that holds too rarely: it gains `x == null ||` (or `x.length === 0 ||`,
 * `x === ''`, `x === 0` where the code tells the kind) about a value it or its branch
 * reads, locals included; or an `&&` loses one side. The guard `if (!rows) return []`
 * that should also catch an empty `rows`.
 */
export const conditionWiden: Template = {
  name: 'condition-widen',
  propose(site: Site): TemplateFix[] {
    const found = subjects(site);
    if (!found) return [];
    const sf = site.sf;
    const { condition } = found;
    const before = condition.getText(sf);
    const body = splits(condition, false) ? `(${before})` : before;
    const clauses = found.subjects.flatMap((s) => [`${s.text} == null`, ...(s.empty ? [s.empty] : [])]);
    const out = clauses.map((clause) =>
      fix('condition-widen', site, [replace(sf, condition, `${clause} || ${body}`)], `condition widened: \`${before}\` now also holds when \`${clause}\``, PREFER.insert),
    );
    for (const and of descendants(condition, ts.isBinaryExpression).filter((b) => b.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
      for (const kept of [and.left, and.right]) {
        out.push(fix('condition-widen', site, [replace(sf, and, kept.getText(sf))], `condition widened: \`${and.getText(sf)}\` became \`${kept.getText(sf)}\``, PREFER.insert));
      }
    }
    return out;
  },
};
