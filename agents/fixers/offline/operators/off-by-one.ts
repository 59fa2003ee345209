import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix } from './common.ts';

const SLICING = new Set(['slice', 'substring', 'substr', 'splice', 'padStart', 'padEnd', 'repeat', 'at', 'charAt', 'charCodeAt', 'codePointAt', 'toFixed']);
const INTEGER_CALLS = new Set([
  'indexOf',
  'lastIndexOf',
  'findIndex',
  'findLastIndex',
  'search',
  'floor',
  'ceil',
  'round',
  'trunc',
  'min',
  'max',
  'parseInt',
  'getDate',
  'getMonth',
  'getFullYear',
]);
const COUNTING =
  /^(?:[ijkn]|idx|index|count|start|end|from|to|offset|pos|position|len|length|size|limit|page|pages|last|first|width|depth|level|step|[a-z]+(?:Index|Count|Len|Length|Size|Offset|Start|End|Pos|Limit|Page))$/;
const RELATIONAL = new Set([ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken]);

/**
 * Whether an expression holds an integer, as far as its text tells: an integer literal,
 * a `.length` or `.size`, an index-returning call, a variable named or started like a
 * count, or one of those plus or minus another.
 */
function integerLike(e: ts.Expression, site: Site, depth = 0): boolean {
  if (ts.isParenthesizedExpression(e)) return integerLike(e.expression, site, depth);
  if (ts.isNumericLiteral(e)) return /^\d+$/.test(e.text);
  if (ts.isPropertyAccessExpression(e)) return e.name.text === 'length' || e.name.text === 'size';
  if (ts.isCallExpression(e)) {
    const callee = ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : ts.isIdentifier(e.expression) ? e.expression.text : '';
    return INTEGER_CALLS.has(callee);
  }
  if (ts.isIdentifier(e)) {
    if (COUNTING.test(e.text)) return true;
    const init = depth < 2 ? bindingsAt(site.sf, e).find((b) => b.name === e.text)?.initializer : undefined;
    return init !== undefined && integerLike(init, site, depth + 1);
  }
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.MinusToken))
    return integerLike(e.left, site, depth) && integerLike(e.right, site, depth);
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && integerLike(e.operand, site, depth);
}

/** Where `x - 1` may stand for `x` without parentheses: an argument, a subscript, a comparison's side, a value that is assigned or returned. */
function bare(e: ts.Expression): boolean {
  const p = e.parent;
  if (
    ts.isCallExpression(p) ||
    ts.isNewExpression(p) ||
    ts.isElementAccessExpression(p) ||
    ts.isReturnStatement(p) ||
    ts.isVariableDeclaration(p) ||
    ts.isArrayLiteralExpression(p)
  )
    return p !== e;
  if (ts.isPropertyAssignment(p) || ts.isTemplateSpan(p) || ts.isConditionalExpression(p)) return true;
  return (
    ts.isBinaryExpression(p) &&
    (RELATIONAL.has(p.operatorToken.kind) || p.operatorToken.kind === ts.SyntaxKind.EqualsToken || p.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken)
  );
}

/** `e` one less and one more: a literal's value, `x + 1`'s constant, else `x - 1` (parenthesised where the context needs it). */
export function shifted(e: ts.Expression, sf: ts.SourceFile): string[] {
  if (ts.isNumericLiteral(e)) return [String(Number(e.text) - 1), String(Number(e.text) + 1)].filter((v) => Number(v) >= 0);
  const shown = e.getText(sf);
  if (ts.isBinaryExpression(e) && ts.isNumericLiteral(e.right) && /^\d+$/.test(e.right.text)) {
    const sign = e.operatorToken.kind === ts.SyntaxKind.PlusToken ? 1 : e.operatorToken.kind === ts.SyntaxKind.MinusToken ? -1 : 0;
    if (sign !== 0) {
      const left = e.left.getText(sf);
      return [-1, 1].map((step) => {
        const k = sign * Number(e.right.getText(sf)) + step;
        return k === 0 ? left : `${left} ${k > 0 ? '+' : '-'} ${Math.abs(k)}`;
      });
    }
  }
  const simple = ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e);
  const base = simple ? shown : `(${shown})`;
  return [`${base} - 1`, `${base} + 1`].map((t) => (bare(e) ? t : `(${t})`));
}

/**
 * Off by one, anywhere an integer is made: a comparison's bound (a loop's exit), a call
 * argument (a slice's end, a count), a subscript, a returned or initial value. Each one
 * step down and up, with the shortest text that says so (`3` becomes `2`, `i + 1` becomes `i`).
 */
export const offByOne: Template = {
  name: 'off-by-one',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const targets: ts.Expression[] = [];
    for (const b of descendants(site.statement, ts.isBinaryExpression)) {
      if (!RELATIONAL.has(b.operatorToken.kind)) continue;
      // The bound, not the counter: `i < n` shifts `n`; `0 < i` shifts `0`.
      const bound = ts.isIdentifier(b.right) && !ts.isIdentifier(b.left) ? b.left : b.right;
      if (integerLike(bound, site) || integerLike(bound === b.right ? b.left : b.right, site)) targets.push(bound);
    }
    for (const call of descendants(site.statement, ts.isCallExpression)) {
      const slicing = ts.isPropertyAccessExpression(call.expression) && SLICING.has(call.expression.name.text);
      for (const arg of call.arguments) if (!ts.isSpreadElement(arg) && (slicing || integerLike(arg, site))) targets.push(arg);
    }
    for (const access of descendants(site.statement, ts.isElementAccessExpression)) {
      const index = access.argumentExpression;
      if (!ts.isStringLiteralLike(index) && !ts.isPrefixUnaryExpression(index)) targets.push(index);
    }
    for (const ret of descendants(site.statement, ts.isReturnStatement)) if (ret.expression && integerLike(ret.expression, site)) targets.push(ret.expression);
    for (const loop of descendants(site.statement, ts.isForStatement)) {
      const init = loop.initializer && ts.isVariableDeclarationList(loop.initializer) ? loop.initializer.declarations[0]?.initializer : undefined;
      if (init && integerLike(init, site)) targets.push(init);
    }
    const seen = new Set<ts.Node>();
    return targets
      .filter((t) => !seen.has(t) && seen.add(t))
      .flatMap((target) =>
        shifted(target, sf).map((text) =>
          fix('off-by-one', site, [{ start: target.getStart(sf), end: target.getEnd(), text }], `off by one: \`${target.getText(sf)}\` became \`${text}\``),
        ),
      );
  },
};
