import ts from 'typescript';
import { enclosingFunction, text } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/**
 * A missing default for an optional input or setting: a destructured parameter or
 * declaration that breaks when the object is not given ("Cannot destructure property
 * 'x' of 'undefined'").
 */
export const missingDefault: Template = {
  name: 'missing-default',
  propose(site: Site): TemplateFix[] {
    const out: TemplateFix[] = [];
    const fn = enclosingFunction(site.statement);
    for (const param of fn?.parameters ?? []) {
      if (!ts.isObjectBindingPattern(param.name) || param.initializer) continue;
      const end = param.type ? param.type.getEnd() : param.name.getEnd();
      out.push({
        template: 'missing-default',
        edits: [{ start: end, end, text: ' = {}' }],
        rationale: `default added at ${site.file}:${site.line}: the options \`${text(site.sf, param.name)}\` may be left out`,
      });
    }
    if (ts.isVariableStatement(site.statement)) {
      for (const d of site.statement.declarationList.declarations) {
        if (!ts.isObjectBindingPattern(d.name) || !d.initializer) continue;
        const init = d.initializer;
        const shown =
          ts.isIdentifier(init) || ts.isPropertyAccessExpression(init) || ts.isElementAccessExpression(init) || ts.isCallExpression(init)
            ? text(site.sf, init)
            : `(${text(site.sf, init)})`;
        out.push({
          template: 'missing-default',
          edits: [{ start: init.getStart(site.sf), end: init.getEnd(), text: `${shown} ?? {}` }],
          rationale: `default added at ${site.file}:${site.line}: \`${text(site.sf, init)}\` may be missing; its fields then read as undefined`,
        });
      }
    }
    return out;
  },
};
