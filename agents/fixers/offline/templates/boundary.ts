import ts from 'typescript';
import { descendants, text } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const FLIP: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.LessThanToken]: '<=',
  [ts.SyntaxKind.LessThanEqualsToken]: '<',
  [ts.SyntaxKind.GreaterThanToken]: '>=',
  [ts.SyntaxKind.GreaterThanEqualsToken]: '>',
};

const SLICING = new Set(['slice', 'substring', 'substr', 'splice']);

/** Off by one: a bound's strictness, an index, or a slice's end, one step either way. */
export const boundary: Template = {
  name: 'boundary',
  propose(site: Site): TemplateFix[] {
    const out: TemplateFix[] = [];
    const at = `${site.file}:${site.line}`;
    for (const binary of descendants(site.statement, ts.isBinaryExpression)) {
      const flipped = FLIP[binary.operatorToken.kind];
      if (!flipped) continue;
      const token = binary.operatorToken;
      out.push({
        template: 'boundary',
        edits: [{ start: token.getStart(site.sf), end: token.getEnd(), text: flipped }],
        rationale: `bound changed at ${at}: \`${token.getText(site.sf)}\` became \`${flipped}\``,
      });
    }
    const shifts: ts.Expression[] = [
      ...descendants(site.statement, ts.isElementAccessExpression)
        .map((e) => e.argumentExpression)
        .filter((e) => !ts.isStringLiteral(e)),
      ...descendants(site.statement, ts.isCallExpression)
        .filter((c) => ts.isPropertyAccessExpression(c.expression) && SLICING.has(c.expression.name.text))
        .flatMap((c) => [...c.arguments]),
    ];
    for (const expr of shifts) {
      // `a ? i : j` shifted as a whole, not its last branch.
      const simple = ts.isIdentifier(expr) || ts.isNumericLiteral(expr) || ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr) || ts.isCallExpression(expr);
      const shown = simple ? text(site.sf, expr) : `(${text(site.sf, expr)})`;
      for (const step of ['- 1', '+ 1']) {
        out.push({
          template: 'boundary',
          edits: [{ start: expr.getStart(site.sf), end: expr.getEnd(), text: `${shown} ${step}` }],
          rationale: `index shifted at ${at}: \`${shown}\` became \`${shown} ${step}\``,
        });
      }
    }
    return out;
  },
};
