import ts from 'typescript';
import { declaredFunction, descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, PREFER, replace } from './common.ts';
import { shared } from './name-replace.ts';

/** Replacements tried per argument. */
const PER_ARGUMENT = 3;

const calleeName = (call: ts.CallExpression | ts.NewExpression): string | undefined =>
  ts.isIdentifier(call.expression) ? call.expression.text : ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;

/**
 * A call given the wrong argument: one replaced by a variable in scope that fits the
 * position better. First a variable named as the callee's parameter there (`f(a, b)`
 * where `f(from, to)` and a `to` is in scope), then what the file passes the same
 * callee at that position elsewhere, then `x.length` for an `x` whose length the
 * function reads. A variable the call already gets is no candidate.
 */
export const argumentReplace: Template = {
  name: 'argument-replace',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const calls = [...descendants(sf, ts.isCallExpression), ...descendants(sf, ts.isNewExpression)];
    const out: TemplateFix[] = [];
    for (const call of [...descendants(site.statement, ts.isCallExpression), ...descendants(site.statement, ts.isNewExpression)]) {
      const name = calleeName(call);
      const args = [...(call.arguments ?? [])];
      if (!name || args.length === 0) continue;
      const inScope = new Set(
        bindingsAt(sf, call)
          .filter((b) => ts.isVariableDeclaration(b.declaration) || ts.isParameter(b.declaration))
          .map((b) => b.name),
      );
      const params = ts.isIdentifier(call.expression) ? declaredFunction(sf, name)?.parameters : undefined;
      const given = new Set(args.map((a) => a.getText(sf)));
      args.forEach((arg, i) => {
        if (ts.isSpreadElement(arg) || ts.isFunctionLike(arg) || ts.isObjectLiteralExpression(arg)) return;
        const shown = arg.getText(sf);
        const param = params?.[i]?.name;
        const named = param && ts.isIdentifier(param) && inScope.has(param.text) ? [param.text] : [];
        const elsewhere = calls
          .filter((c) => c !== call && calleeName(c) === name && c.arguments?.[i] && ts.isIdentifier(c.arguments[i]!))
          .map((c) => c.arguments![i]!.getText(sf))
          .filter((t) => inScope.has(t))
          .sort((a, b) => shared(b, shown) - shared(a, shown));
        const length =
          ts.isIdentifier(arg) && descendants(sf, ts.isPropertyAccessExpression).some((p) => p.name.text === 'length' && p.expression.getText(sf) === shown)
            ? [`${shown}.length`]
            : [];
        const replacements = [...new Set([...named, ...elsewhere, ...length])].filter((t) => t !== shown && !given.has(t)).slice(0, PER_ARGUMENT);
        for (const text of replacements) {
          out.push(fix('argument-replace', site, [replace(sf, arg, text)], `argument changed: \`${name}\` now gets \`${text}\` for \`${shown}\``, PREFER.replace));
        }
      });
    }
    return out;
  },
};
