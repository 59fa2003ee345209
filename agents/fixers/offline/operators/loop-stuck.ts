import ts from 'typescript';
import { descendants, lineAfter } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER, replace } from './common.ts';
import { type Loop, loopsAround, nodesUnder } from './loop-progress.ts';

const COMPARISON = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
]);

/** The variable an expression names, through property and element reads: `xs`, `xs.items`, `xs[0]` all name `xs`. */
function root(node: ts.Expression): string | undefined {
  let at = node;
  while (ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at)) at = at.expression;
  return ts.isIdentifier(at) ? at.text : undefined;
}

/** Names the body may change: those it assigns, steps or deletes from, and every receiver of a method it calls. */
function changed(nodes: readonly ts.Node[]): Set<string> {
  const out = new Set<string>();
  const add = (e: ts.Expression): void => {
    const name = root(e);
    if (name) out.add(name);
  };
  for (const node of nodes) {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) add(node.left);
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && node.operator !== ts.SyntaxKind.ExclamationToken) add(node.operand);
    else if (ts.isDeleteExpression(node)) add(node.expression);
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) add(node.expression.expression);
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) out.add(node.name.text);
  }
  return out;
}

/** Names the body steps: `i++`, `i += k`, `i -= k`, `i = i + k`. */
function counters(nodes: readonly ts.Node[]): string[] {
  const out = new Set<string>();
  for (const node of nodes) {
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && ts.isIdentifier(node.operand)) {
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) out.add(node.operand.text);
    } else if (ts.isBinaryExpression(node) && ts.isIdentifier(node.left)) {
      const op = node.operatorToken.kind;
      const self = ts.isBinaryExpression(node.right) && ts.isIdentifier(node.right.left) && node.right.left.text === node.left.text;
      if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken) out.add(node.left.text);
      else if (op === ts.SyntaxKind.EqualsToken && self) out.add(node.left.text);
    }
  }
  return [...out];
}

/** Whether the loop can end other than by its condition: a `return`, or a `break` of this loop. */
function leftOtherwise(loop: Loop, nodes: readonly ts.Node[]): boolean {
  return nodes.some((n) => {
    if (ts.isReturnStatement(n) || ts.isThrowStatement(n)) return true;
    if (!ts.isBreakStatement(n) || n.label) return false;
    let at = n.parent;
    while (!ts.isIterationStatement(at, false) && !ts.isSwitchStatement(at)) at = at.parent;
    return at === loop;
  });
}

/** `xs.length` tested as a count: alone, negated, or compared. */
function testedLength(id: ts.Identifier): boolean {
  const access = id.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== id || access.name.text !== 'length') return false;
  const up = access.parent;
  return ts.isWhileStatement(up) || ts.isDoStatement(up) || ts.isPrefixUnaryExpression(up) || (ts.isBinaryExpression(up) && COMPARISON.has(up.operatorToken.kind));
}

/** Statements of the body that take an item of `name`: `[statement, item, after]`; an item declared gets its removal at the end of the body. */
function taken(nodes: readonly ts.Node[], name: string): [ts.Node, string, boolean][] {
  const out: [ts.Node, string, boolean][] = [];
  const reads = (e: ts.Node): boolean => descendants(e, ts.isIdentifier).some((i) => i.text === name && isUse(i));
  for (const node of nodes) {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && reads(node.initializer) && ts.isVariableStatement(node.parent.parent))
      out.push([node.parent.parent, node.name.text, false]);
    if (ts.isForOfStatement(node) && ts.isIdentifier(node.expression) && node.expression.text === name && ts.isVariableDeclarationList(node.initializer)) {
      const item = node.initializer.declarations[0]?.name;
      if (!item || !ts.isIdentifier(item)) continue;
      for (const call of descendants(node.statement, ts.isExpressionStatement)) {
        if (ts.isCallExpression(call.expression) && call.expression.arguments.some((a) => ts.isIdentifier(a) && a.text === item.text)) out.push([call, item.text, true]);
      }
    }
  }
  return out;
}

function shrinks(site: Site, loop: Loop, name: string, nodes: readonly ts.Node[]): TemplateFix[] {
  const { sf } = site;
  const last = ts.isBlock(loop.statement) ? loop.statement.statements.at(-1) : undefined;
  if (!last) return [];
  const out: TemplateFix[] = [];
  const insert = (after: ts.Node, text: string, what: string): void => {
    out.push(fix('loop-stuck', site, [lineAfter(sf, after, `${text};`)], what, PREFER.insert));
  };
  for (const [statement, item, after] of taken(nodes, name)) {
    const text = `${name}.splice(${name}.indexOf(${item}), 1)`;
    if (after) insert(statement, text, `loop on \`${name}\` that never removes the item it used: \`${text}\` added`);
    else insert(last, text, `loop on \`${name}\` that never removes the item it took: \`${text}\` added at the end of its body`);
  }
  if (out.length === 0)
    for (const text of [`${name}.pop()`, `${name}.shift()`]) insert(last, text, `loop on \`${name}\` that never takes anything off it: \`${text}\` added at the end of its body`);
  return out;
}

/**
 * A `while` or `do` loop whose condition reads nothing its body changes, so a call that
 * enters it never leaves. Two slips make one: the body steps a counter but the
 * condition reads the sequence whole (`while (!isPalindrome(s)) i++` where
 * `s.slice(i)` was meant, `xs[0]` where `xs[i]` was): the sequence is read through the
 * counter (a length tested is the next slip's); or the condition tests an array's length and the body takes items of it but
 * never removes them: the item taken is spliced out (after the statement that used it,
 * for the items of an inner `for…of`; at the end of the body for one it declared), or,
 * when it takes none of its own, the array is popped or shifted at the end of the body.
 * Only for a call that hung, at the two loops nearest the stack's statement, and not
 * where a `break`, `return` or `throw` leaves the loop. The Python side's `loop-stuck`
 * answers the same slips.
 */
export const loopStuck: Template = {
  name: 'loop-stuck',
  propose(site: Site): TemplateFix[] {
    if (site.error?.type !== 'Timeout') return [];
    const { sf } = site;
    const out: TemplateFix[] = [];
    for (const loop of loopsAround(site.statement)) {
      if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop)) continue;
      const nodes = nodesUnder(loop.statement);
      const variables = new Set(bindingsAt(sf, loop).map((b) => b.name));
      const reads = descendants(loop.expression, ts.isIdentifier).filter(
        (id) => isUse(id) && variables.has(id.text) && !(ts.isCallExpression(id.parent) && id.parent.expression === id),
      );
      const moved = changed(nodes);
      if (reads.length === 0 || leftOtherwise(loop, nodes) || reads.some((id) => moved.has(id.text))) continue;
      const steps = counters(nodes);
      for (const id of reads) {
        for (const step of steps.filter((s) => s !== id.text)) {
          const parent = id.parent;
          if (ts.isElementAccessExpression(parent) && parent.expression === id) {
            if (ts.isNumericLiteral(parent.argumentExpression))
              out.push(
                fix(
                  'loop-stuck',
                  site,
                  [replace(sf, parent.argumentExpression, step)],
                  `loop whose condition reads \`${parent.getText(sf)}\` while the body steps \`${step}\`: the index became \`${step}\``,
                ),
              );
          } else if (!testedLength(id) && !(ts.isBinaryExpression(parent) && COMPARISON.has(parent.operatorToken.kind))) {
            const text = `${id.text}.slice(${step})`;
            out.push(
              fix(
                'loop-stuck',
                site,
                [replace(sf, id, text)],
                `loop whose condition reads \`${id.text}\` whole while the body steps \`${step}\`: \`${id.text}\` became \`${text}\``,
              ),
            );
          }
        }
      }
      for (const name of new Set(reads.filter(testedLength).map((id) => id.text))) out.push(...shrinks(site, loop, name, nodes));
    }
    return out;
  },
};
