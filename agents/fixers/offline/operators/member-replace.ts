import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER } from './common.ts';
import { siblingProperty } from './member-sibling.ts';
import { shared } from './name-replace.ts';

/** Other methods tried per call. */
const PER_CALL = 3;

/**
 * The wrong member: a property read where a sibling was meant (`member-sibling.ts`),
 * or a method called where another was (`toLowerCase` for `toUpperCase`, `push` for
 * `unshift`): one the file calls on the same receiver first, then one it calls
 * anywhere that shares most of the name. A name the file never uses is no candidate.
 */
export const memberReplace: Template = {
  name: 'member-replace',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const byReceiver = new Map<string, Set<string>>();
    const all = new Set<string>();
    for (const call of descendants(sf, ts.isCallExpression)) {
      if (!ts.isPropertyAccessExpression(call.expression)) continue;
      const receiver = call.expression.expression.getText(sf);
      byReceiver.set(receiver, (byReceiver.get(receiver) ?? new Set()).add(call.expression.name.text));
      all.add(call.expression.name.text);
    }
    const out = siblingProperty.propose(site);
    for (const call of descendants(site.statement, ts.isCallExpression)) {
      const access = call.expression;
      if (!ts.isPropertyAccessExpression(access)) continue;
      const name = access.name.text;
      const receiver = access.expression.getText(sf);
      const own = [...(byReceiver.get(receiver) ?? [])].filter((m) => m !== name);
      // Alike in name: `toUpperCase` and `toLowerCase` share "to…Case"; two short unrelated names do not count.
      const alike = [...all].filter((m) => m !== name && !own.includes(m) && shared(m, name) >= Math.min(4, Math.ceil(name.length / 2)));
      const ranked = [...own.sort((a, b) => shared(b, name) - shared(a, name)), ...alike.sort((a, b) => shared(b, name) - shared(a, name))].slice(0, PER_CALL);
      for (const other of ranked) {
        out.push(
          fix(
            'member-replace',
            site,
            [{ start: access.name.getStart(sf), end: access.name.getEnd(), text: other }],
            `method changed: \`${receiver}.${name}(…)\` became \`${receiver}.${other}(…)\`, which the file calls`,
            PREFER.replace,
          ),
        );
      }
    }
    return out;
  },
};
