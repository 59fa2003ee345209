import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix } from './common.ts';

const isAsync = (fn: ts.Node): boolean => ts.canHaveModifiers(fn) && (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);

/** Node's promise APIs a plugin is likely to call without a declaration of its own. */
const PROMISE_MODULES = /^(?:node:)?(?:fs\/promises|timers\/promises|dns\/promises|stream\/promises)$/;

/**
 * Names the file knows to give a promise: its async functions and methods, functions
 * whose `return` is a `new Promise` or a `.then(…)`, and what it imports from a promise
 * module of Node's or from another of the plugin's files (which cannot be read from
 * here, so those rank after the ones known to be async).
 */
function promising(sf: ts.SourceFile): { known: Set<string>; imported: Set<string> } {
  const known = new Set<string>(['fetch']);
  const imported = new Set<string>();
  const returnsPromise = (body: ts.Node | undefined): boolean =>
    body !== undefined &&
    descendants(body, ts.isReturnStatement).some(
      (r) => r.expression && ((ts.isNewExpression(r.expression) && r.expression.expression.getText(sf) === 'Promise') || /\.then\(/.test(r.expression.getText(sf))),
    );
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && (isAsync(node) || returnsPromise(node.body))) known.add(node.name.getText(sf));
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      if (isAsync(node.initializer) || returnsPromise(node.initializer.body)) known.add(node.name.text);
    }
    if (ts.isPropertyAssignment(node) && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer)) && isAsync(node.initializer))
      known.add(node.name.getText(sf));
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const from = node.moduleSpecifier.text;
      const bindings = node.importClause?.namedBindings;
      if ((from.startsWith('.') || PROMISE_MODULES.test(from)) && bindings && ts.isNamedImports(bindings)) {
        for (const e of bindings.elements) (PROMISE_MODULES.test(from) ? known : imported).add(e.name.text);
      }
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return { known, imported };
}

/**
 * A missing `await`: a call, in an async function, to something that gives a promise
 * (by the file's own declarations and imports), whose promise is used as its value.
 * Not where the promise is returned or already awaited, nor where it is chained on.
 */
export const awaitInsert: Template = {
  name: 'await-insert',
  propose(site: Site): TemplateFix[] {
    const fn = enclosingFunction(site.statement);
    if (!fn || !isAsync(fn)) return [];
    const sf = site.sf;
    const { known, imported } = promising(sf);
    const name = (call: ts.CallExpression): string => (ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : call.expression.getText(sf));
    const calls = descendants(site.statement, ts.isCallExpression).filter(
      (call) =>
        !ts.isAwaitExpression(call.parent) &&
        !ts.isReturnStatement(call.parent) &&
        !(ts.isPropertyAccessExpression(call.parent) && /^(?:then|catch|finally)$/.test(call.parent.name.text)) &&
        enclosingFunction(call) === fn,
    );
    return [...calls.filter((c) => known.has(name(c))), ...calls.filter((c) => !known.has(name(c)) && imported.has(name(c)))].map((call) =>
      fix(
        'await-insert',
        site,
        [{ start: call.getStart(sf), end: call.getStart(sf), text: 'await ' }],
        `await added: \`${call.expression.getText(sf)}(…)\` returns a promise that was used as its value`,
      ),
    );
  },
};
