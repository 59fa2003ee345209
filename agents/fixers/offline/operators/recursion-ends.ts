import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER, replace } from './common.ts';
import { shifted } from './off-by-one.ts';

type Fn = ts.FunctionLikeDeclaration;

/** The name a function calls itself by: its own, a method's, or the variable an arrow or function expression is bound to. */
function nameOf(fn: Fn): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
}

/** The calls of `fn` itself under `node`: `f(…)`, or `this.f(…)` in a method. */
function recursiveCalls(node: ts.Node, fn: Fn, name: string): ts.CallExpression[] {
  return descendants(node, ts.isCallExpression).filter((c) => {
    const callee = c.expression;
    if (ts.isIdentifier(callee)) return callee.text === name && !ts.isMethodDeclaration(fn);
    return ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword && callee.name.text === name;
  });
}

/** The call's arguments with the parameter each fills, and those that move (are not that parameter passed through). */
function argumentsOf(fn: Fn, call: ts.CallExpression): { pairs: [ts.Expression, string | undefined][]; moving: [ts.Expression, string | undefined][] } {
  const names = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
  const pairs = call.arguments.filter((a) => !ts.isSpreadElement(a)).map((a, i): [ts.Expression, string | undefined] => [a, names[i]]);
  return { pairs, moving: pairs.filter(([a, p]) => !(ts.isIdentifier(a) && a.text === p)) };
}

/** -1 when the argument steps its parameter down (`n - 1`, `n / 2`, `n >> 1`), 1 up, 0 unknown. */
function direction(arg: ts.Expression, param: string | undefined): number {
  if (!ts.isBinaryExpression(arg) || !ts.isIdentifier(arg.left) || arg.left.text !== param) return 0;
  const op = arg.operatorToken.kind;
  if (op === ts.SyntaxKind.PlusToken) return 1;
  return op === ts.SyntaxKind.MinusToken || op === ts.SyntaxKind.SlashToken || op === ts.SyntaxKind.GreaterThanGreaterThanToken ? -1 : 0;
}

/** The argument one more and one less, as off-by-one writes them; a plain one (`mid`, passed where `mid + 1` was meant) one more first. */
function stepped(sf: ts.SourceFile, arg: ts.Expression): string[] {
  const both = shifted(arg, sf);
  const constantStep = ts.isBinaryExpression(arg) && ts.isNumericLiteral(arg.right);
  return constantStep ? both : both.reverse();
}

/** Whether a side of `===` may be a number: not a collection, a string, `null`, `undefined` or a boolean. */
function ordered(e: ts.Expression): boolean {
  if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e) || ts.isStringLiteralLike(e) || ts.isTemplateExpression(e)) return false;
  const k = e.kind;
  return k !== ts.SyntaxKind.NullKeyword && k !== ts.SyntaxKind.TrueKeyword && k !== ts.SyntaxKind.FalseKeyword && !(ts.isIdentifier(e) && e.text === 'undefined');
}

const EQUAL = new Set([ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken]);

/** The base cases that test a moved parameter for equality, widened towards where the recursion goes. */
function bases(site: Site, fn: Fn, name: string, way: number): TemplateFix[] {
  const { sf } = site;
  const calls = recursiveCalls(fn, fn, name);
  const moved = new Set(calls.flatMap((c) => argumentsOf(fn, c).moving.flatMap(([, p]) => (p ? [p] : []))));
  const names = moved.size > 0 ? moved : new Set(fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  const out: TemplateFix[] = [];
  const ifs = descendants(fn.body ?? fn, ts.isIfStatement).filter((s) => enclosingFunction(s) === fn);
  for (const statement of ifs) {
    const test = statement.expression;
    if (!ts.isBinaryExpression(test) || !EQUAL.has(test.operatorToken.kind)) continue;
    if (recursiveCalls(statement, fn, name).length > 0 || descendants(statement.thenStatement, ts.isReturnStatement).length === 0) continue;
    const onLeft = ts.isIdentifier(test.left) && names.has(test.left.text);
    if (!onLeft && !(ts.isIdentifier(test.right) && names.has(test.right.text))) continue;
    if (!ordered(test.left) || !ordered(test.right)) continue;
    for (const op of way > 0 ? ['>=', '<='] : ['<=', '>=']) {
      const shown = onLeft ? op : op === '<=' ? '>=' : '<=';
      const text = `${test.left.getText(sf)} ${shown} ${test.right.getText(sf)}`;
      out.push(
        fix(
          'recursion-ends',
          site,
          [{ start: test.operatorToken.getStart(sf), end: test.operatorToken.getEnd(), text: shown }],
          `base case that the recursion steps past: \`${test.getText(sf)}\` became \`${text}\``,
          PREFER.token,
        ),
      );
    }
  }
  return out;
}

/**
 * A recursion that never reaches its end ("Maximum call stack size exceeded"). Two
 * slips make one: the recursive call does not step towards the base case by the right
 * amount (an argument that moves, `mid` or `n - 2`, is one off: `mid + 1`, `n - 3`;
 * when every argument passes its parameter through, `f(n)` where `f(n - 1)` was meant,
 * each is stepped: `n - 1`, `n + 1`, `xs.slice(1)`), or the base case tests for
 * equality a parameter the recursion moves and steps past (`if (n === 1)` and a call
 * with 0): the equality becomes `<=` (`>=` for a recursion that steps up). Only for that
 * error, at the calls of the enclosing function on the statement the stack points at,
 * and at that function's `if`s that return without recursing. The Python side's
 * `recursion-ends` answers the same slips.
 */
export const recursionEnds: Template = {
  name: 'recursion-ends',
  propose(site: Site): TemplateFix[] {
    if (site.error?.type !== 'RangeError' || !/Maximum call stack size exceeded/.test(site.error.message)) return [];
    const { sf } = site;
    const fn = enclosingFunction(site.statement);
    const name = fn && nameOf(fn);
    if (!fn || !name || recursiveCalls(fn, fn, name).length === 0) return [];
    const out: TemplateFix[] = [];
    let way = 0;
    for (const call of recursiveCalls(site.statement, fn, name)) {
      const { pairs, moving } = argumentsOf(fn, call);
      for (const [arg, param] of moving) {
        way += direction(arg, param);
        // A step taken back to the parameter itself would pass it through: no step at all.
        for (const text of stepped(sf, arg).filter((t) => t !== param))
          out.push(fix('recursion-ends', site, [replace(sf, arg, text)], `recursion that never ends: the step \`${arg.getText(sf)}\` became \`${text}\` in \`${name}(…)\``));
      }
      if (moving.length === 0)
        for (const [arg] of pairs)
          for (const text of [`${arg.getText(sf)} - 1`, `${arg.getText(sf)} + 1`, `${arg.getText(sf)}.slice(1)`])
            out.push(fix('recursion-ends', site, [replace(sf, arg, text)], `recursion on the same input: \`${arg.getText(sf)}\` became \`${text}\` in \`${name}(…)\``));
    }
    return [...out, ...bases(site, fn, name, way)];
  },
};
