import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const isAsync = (fn: ts.FunctionLikeDeclaration): boolean => (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) !== 0;

/** A call whose promise is used as if it were its value, in an async function. */
export const missingAwait: Template = {
  name: 'missing-await',
  propose(site: Site): TemplateFix[] {
    const fn = enclosingFunction(site.statement);
    if (!fn || !isAsync(fn)) return [];
    return descendants(site.statement, ts.isCallExpression)
      .filter((call) => !ts.isAwaitExpression(call.parent) && !ts.isReturnStatement(call.parent) && enclosingFunction(call) === fn)
      .map((call) => ({
        template: 'missing-await',
        edits: [{ start: call.getStart(site.sf), end: call.getStart(site.sf), text: 'await ' }],
        rationale: `await added at ${site.file}:${site.line}: \`${call.expression.getText(site.sf)}(…)\` returns a promise that was used as its value`,
      }));
  },
};
