import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER, repeated } from './common.ts';
import { PER_NAME, speltLike } from './name-spelling.ts';

/** V8's "receiver.method is not a function": the method is the last name before it. */
const NOT_A_FUNCTION = /\.([\w$]+) is not a function/;

/** The prototypes whose methods a plugin calls most: a misspelt one of theirs is found by its spelling. */
const PROTOTYPES: readonly object[] = [
  Array.prototype,
  String.prototype,
  Map.prototype,
  Set.prototype,
  Object.prototype,
  Number.prototype,
  Promise.prototype,
  Date.prototype,
  RegExp.prototype,
];

const BUILTIN_METHODS = [
  ...new Set(
    PROTOTYPES.flatMap((p) =>
      Object.getOwnPropertyNames(p).filter((n) => !n.startsWith('_') && n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, n)?.value === 'function'),
    ),
  ),
];

/** The methods the file itself declares: class methods and object literals' function-valued members. */
function fileMethods(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const node of descendants(sf, (n): n is ts.MethodDeclaration | ts.PropertyAssignment => ts.isMethodDeclaration(n) || ts.isPropertyAssignment(n))) {
    if (!ts.isIdentifier(node.name)) continue;
    if (ts.isMethodDeclaration(node) || ts.isFunctionLike(node.initializer) || ts.isArrowFunction(node.initializer)) out.push(node.name.text);
  }
  return out;
}

/**
 * The misspelt method: the name a "… is not a function" TypeError calls, spelt as a
 * method that exists: one of the file's own (a class's, an object literal's), or of the
 * prototypes a plugin calls most (Array, String, Map, Set, Object, Number, Promise,
 * Date, RegExp): `xs.pussh(x)` -> `xs.push(x)`. The spelling rules are name-spelling's;
 * every call of it in the statement changes at once. Only for that error, and only where
 * the statement calls a member of that name.
 */
export const memberSpelling: Template = {
  name: 'member-spelling',
  propose(site: Site): TemplateFix[] {
    const method = site.error?.type === 'TypeError' ? NOT_A_FUNCTION.exec(site.error.message)?.[1] : undefined;
    if (!method) return [];
    const called = (node: ts.Node): node is ts.PropertyAccessExpression =>
      ts.isPropertyAccessExpression(node) && node.name.text === method && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && node.parent.expression === node;
    const ours = descendants(site.statement, called);
    if (ours.length === 0) return [];
    const known = [...new Set([...fileMethods(site.sf), ...BUILTIN_METHODS])];
    const spellings = known
      .map((other, order) => ({ other, order, d: speltLike(method, other) }))
      .filter((c): c is { other: string; order: number; d: number } => c.d !== undefined)
      .sort((a, b) => a.d - b.d || a.order - b.order)
      .slice(0, PER_NAME);
    return repeated(site, ours, called).flatMap((calls) =>
      spellings.map(({ other }) =>
        fix(
          'member-spelling',
          site,
          calls.map((p) => ({ start: p.name.getStart(site.sf), end: p.name.getEnd(), text: other })),
          `method spelt as one that exists: \`.${method}\` became \`.${other}\``,
          PREFER.token,
        ),
      ),
    );
  },
};
