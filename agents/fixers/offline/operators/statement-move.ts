import ts from 'typescript';
import { descendants, indentOf, wholeLines } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER } from './common.ts';

/** Tails of a loop's body tried at a loop, the shortest first. */
const TAILS = 3;

type Loop = ts.ForStatement | ts.ForOfStatement | ts.ForInStatement | ts.WhileStatement;

const isLoop = (node: ts.Node | undefined): node is Loop =>
  !!node && (ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node));

/**
 * Statements on the wrong side of a loop's closing brace: the last statements of its
 * body moved out, to run once after it (a removal meant once a pass of the outer
 * loop, run once an item), or the statement right after it moved in, to run on every
 * pass (a counter's step left after its `while`). At a statement in a loop's body, it
 * and those after it move out; at a loop, each tail of its body moves out and the next
 * statement moves in. It changes how often code runs, not a token, so it ranks with the
 * insertions. The same family as the Python helper's `statement_move`.
 */
export const statementMove: Template = {
  name: 'statement-move',
  propose(site: Site): TemplateFix[] {
    const s = site.statement;
    if (isLoop(s) && ts.isBlock(s.statement)) {
      const body = s.statement.statements;
      const out: TemplateFix[] = [];
      for (let k = body.length - 1; k >= Math.max(1, body.length - TAILS); k--) out.push(...moveOut(site, s, body.slice(k)));
      return [...out, ...moveIn(site, s)];
    }
    const block = s.parent;
    if (block && ts.isBlock(block) && isLoop(block.parent) && block.parent.statement === block) {
      const k = block.statements.indexOf(s as ts.Statement);
      if (k > 0) return moveOut(site, block.parent, block.statements.slice(k));
    }
    return [];
  },
};

/** What reads the same at a loop's depth and the one around it: no `break`/`continue`, `yield` or declaration. */
function movable(statements: readonly ts.Statement[]): boolean {
  const kind = (s: ts.Statement): boolean => ts.isExpressionStatement(s) || ts.isReturnStatement(s) || ts.isIfStatement(s) || isLoop(s);
  return statements.every(kind) && !statements.some((s) => descendants(s, (n): n is ts.Node => ts.isBreakOrContinueStatement(n) || ts.isYieldExpression(n)).length > 0);
}

/** The variable a node changes: an assignment's target, an update's operand, a method call's receiver. */
function changed(n: ts.Node): ts.Node | undefined {
  if (ts.isBinaryExpression(n)) return n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment ? n.left : undefined;
  if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) return n.operand;
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) ? n.expression.expression : undefined;
}

/** Whether the statements left in a `while` still change something its condition reads: without it, the move makes a hang. */
function progresses(loop: Loop, kept: readonly ts.Statement[]): boolean {
  if (!ts.isWhileStatement(loop)) return true;
  const names = new Set(descendants(loop.expression, ts.isIdentifier).map((id) => id.text));
  return kept.some(
    (s) =>
      descendants(s, (n): n is ts.Node => {
        const target = changed(n);
        return !!target && ts.isIdentifier(target) && names.has(target.text);
      }).length > 0,
  );
}

/** `text`'s lines with `change` applied to each that holds code; undefined when one cannot take it. */
function shifted(text: string, change: (line: string) => string | undefined): string | undefined {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const changed = line.trim() === '' ? line : change(line);
    if (changed === undefined) return undefined;
    out.push(changed);
  }
  return out.join('\n');
}

function moveOut(site: Site, loop: Loop, tail: readonly ts.Statement[]): TemplateFix[] {
  const sf = site.sf;
  const body = loop.statement as ts.Block;
  const first = tail[0];
  const last = tail[tail.length - 1];
  const outer = wholeLines(sf, loop);
  if (!first || !last || !outer || !movable(tail) || !progresses(loop, body.statements.slice(0, body.statements.length - tail.length))) return [];
  const from = wholeLines(sf, first);
  const to = wholeLines(sf, last);
  const depth = indentOf(sf, first);
  const base = indentOf(sf, loop);
  if (!from || !to || !depth.startsWith(base) || depth === base) return [];
  const text = shifted(sf.text.slice(from.start, to.end), (line) => (line.startsWith(depth) ? line.slice(depth.length - base.length) : undefined));
  if (text === undefined) return [];
  const lead = sf.text[outer.end - 1] === '\n' ? '' : '\n';
  const lines = first === last ? `\`${first.getText(sf).slice(0, 60)}\`` : `${tail.length} statements`;
  return [
    fix(
      'statement-move',
      site,
      [
        { start: from.start, end: to.end, text: '' },
        { start: outer.end, end: outer.end, text: `${lead}${text}` },
      ],
      `${lines} moved out of the loop, to run once after it`,
      PREFER.insert,
    ),
  ];
}

function moveIn(site: Site, loop: Loop): TemplateFix[] {
  const sf = site.sf;
  const list = loop.parent;
  const body = loop.statement as ts.Block;
  if (!(ts.isBlock(list) || ts.isSourceFile(list) || ts.isCaseClause(list))) return [];
  const follower = list.statements[list.statements.indexOf(loop) + 1];
  if (!follower || !ts.isExpressionStatement(follower) || !movable([follower])) return [];
  const lines = wholeLines(sf, follower);
  const base = indentOf(sf, loop);
  const inner = body.statements[0] ? indentOf(sf, body.statements[0]) : undefined;
  // The closing brace alone at the start of its line: the follower goes just before it.
  const close = body.getEnd() - 1;
  const closeLine = sf.text.lastIndexOf('\n', close - 1) + 1;
  if (!lines || inner === undefined || !inner.startsWith(base) || inner === base || sf.text.slice(closeLine, close).trim() !== '') return [];
  const text = shifted(sf.text.slice(lines.start, lines.end), (line) => (line.startsWith(base) ? inner.slice(base.length) + line : undefined));
  if (text === undefined) return [];
  const ended = text.endsWith('\n') ? text : `${text}\n`;
  return [
    fix(
      'statement-move',
      site,
      [
        { start: closeLine, end: closeLine, text: ended },
        { start: lines.start, end: lines.end, text: '' },
      ],
      `\`${follower.getText(sf).slice(0, 60)}\` moved into the loop, to run on every pass`,
      PREFER.insert,
    ),
  ];
}
