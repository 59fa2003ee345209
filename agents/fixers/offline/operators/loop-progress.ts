import ts from 'typescript';
import { descendants, lineAfter } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, PREFER } from './common.ts';

export type Loop = ts.WhileStatement | ts.ForStatement | ts.DoStatement;

const UP = new Set([ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken]);
const DOWN = new Set([ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken]);

/** The variables a loop's condition compares with a bound, and the way each must go to end the loop: +1 or -1. */
function compared(condition: ts.Expression): [string, 1 | -1][] {
  const out = new Map<string, 1 | -1>();
  for (const node of [condition, ...descendants(condition, ts.isBinaryExpression)]) {
    if (!ts.isBinaryExpression(node)) continue;
    const op = node.operatorToken.kind;
    if (!UP.has(op) && !DOWN.has(op)) continue;
    if (ts.isIdentifier(node.left)) out.set(node.left.text, UP.has(op) ? 1 : -1);
    else if (ts.isIdentifier(node.right)) out.set(node.right.text, UP.has(op) ? -1 : 1);
  }
  return [...out];
}

const ASSIGNMENT = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
]);

/** A node and everything under it, nested functions aside. */
export function nodesUnder(root: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    out.push(node);
    node.forEachChild(visit);
  };
  visit(root);
  return out;
}

/** The expressions of the loop (body and incrementor; not nested functions) that set `name`. */
function updates(loop: Loop, name: string): ts.Expression[] {
  const sets = (node: ts.Node): node is ts.Expression => {
    if (ts.isBinaryExpression(node)) return ASSIGNMENT.has(node.operatorToken.kind) && ts.isIdentifier(node.left) && node.left.text === name;
    if (!ts.isPrefixUnaryExpression(node) && !ts.isPostfixUnaryExpression(node)) return false;
    const step = node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken;
    return step && ts.isIdentifier(node.operand) && node.operand.text === name;
  };
  const roots = ts.isForStatement(loop) && loop.incrementor ? [loop.statement, loop.incrementor] : [loop.statement];
  return roots.flatMap(nodesUnder).filter(sets);
}

/** `i += i`, `i += 0`, `i -= 0`, `i = i`: an update that leaves the variable where it was (or doubles a zero). */
function still(update: ts.Expression, name: string): boolean {
  if (!ts.isBinaryExpression(update)) return false;
  const op = update.operatorToken.kind;
  const right = update.right;
  if (op === ts.SyntaxKind.EqualsToken) return ts.isIdentifier(right) && right.text === name;
  if (op !== ts.SyntaxKind.PlusEqualsToken && op !== ts.SyntaxKind.MinusEqualsToken) return false;
  return (ts.isIdentifier(right) && right.text === name) || (ts.isNumericLiteral(right) && Number(right.text) === 0);
}

/** The two loops nearest a statement in its function, itself included. */
export function loopsAround(node: ts.Node): Loop[] {
  const out: Loop[] = [];
  for (let at: ts.Node | undefined = node; at && !ts.isFunctionLike(at) && !ts.isSourceFile(at); at = at.parent) {
    if (ts.isWhileStatement(at) || ts.isForStatement(at) || ts.isDoStatement(at)) out.push(at);
  }
  return out.slice(0, 2);
}

/**
 * The loop that never gets nearer its end, the commonest cause of a hang: the variable
 * its condition compares with a bound is never updated (`i++` left out), or only by
 * itself or by nothing (`pos += pos` from 0). Only for a call that hung (a Timeout), at
 * the `while`, `for` and `do` loops around the statement the hang's stack points at,
 * nearest first. The step goes towards the bound (`+= 1` for `i < n`, `-= 1` for
 * `i > 0`): at the end of a braced body, or in place of the update that does not move.
 * The Python side's `loop-progress` answers the same slip.
 */
export const loopProgress: Template = {
  name: 'loop-progress',
  propose(site: Site): TemplateFix[] {
    if (site.error?.type !== 'Timeout') return [];
    const { sf } = site;
    const out: TemplateFix[] = [];
    for (const loop of loopsAround(site.statement)) {
      const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
      if (!condition) continue;
      // A counter is the function's own variable, declared before the loop or by a `for`'s initializer; a parameter is the input.
      const counters = new Set(
        bindingsAt(sf, loop.statement)
          .filter((b) => b.local && ts.isVariableDeclaration(b.declaration))
          .map((b) => b.name),
      );
      for (const [name, step] of compared(condition).filter(([n]) => counters.has(n))) {
        const text = `${name} ${step > 0 ? '+=' : '-='} 1`;
        const found = updates(loop, name);
        const body = loop.statement;
        const last = ts.isBlock(body) ? body.statements.at(-1) : undefined;
        if (found.length === 0 && last) {
          out.push(fix('loop-progress', site, [lineAfter(sf, last, `${text};`)], `loop whose \`${name}\` never moves: \`${text}\` added at the end of its body`, PREFER.insert));
        }
        for (const update of found.filter((u) => still(u, name)))
          out.push(
            fix(
              'loop-progress',
              site,
              [{ start: update.getStart(sf), end: update.getEnd(), text }],
              `loop whose \`${name}\` never moves: \`${update.getText(sf)}\` became \`${text}\``,
              PREFER.token,
            ),
          );
      }
    }
    return out;
  },
};
