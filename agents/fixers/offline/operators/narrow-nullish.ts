import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';

const ABSENT = new Set(['undefined', 'null']);

/**
 * A check for a missing value that tests something else: `!total` is true for 0 and
 * "", `x !== undefined` lets `null` through. Both become a test for null or undefined
 * alone (`== null`, `!= null`), the one JavaScript idiom that means "absent".
 */
export const narrowNullish: Template = {
  name: 'condition-narrow',
  propose(site: Site): TemplateFix[] {
    const fixes: TemplateFix[] = [];
    const at = `${site.file}:${site.line}`;
    for (const not of descendants(site.statement, ts.isPrefixUnaryExpression)) {
      const operand = not.operand;
      // `!!x` and `!f()` say something else: a value read from a name or a property only.
      if (
        not.operator !== ts.SyntaxKind.ExclamationToken ||
        ts.isPrefixUnaryExpression(not.parent) ||
        !(ts.isIdentifier(operand) || ts.isPropertyAccessExpression(operand) || ts.isElementAccessExpression(operand))
      )
        continue;
      const text = operand.getText(site.sf);
      fixes.push({
        template: 'condition-narrow',
        edits: [{ start: not.getStart(site.sf), end: not.getEnd(), text: `${text} == null` }],
        rationale: `check for a missing value at ${at}: \`!${text}\` is also true for 0, "" and false; \`${text} == null\` is true only when it is absent`,
      });
    }
    for (const binary of descendants(site.statement, ts.isBinaryExpression)) {
      const op = binary.operatorToken.kind;
      const strict = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
      if (!strict) continue;
      const [value, absent] = ABSENT.has(binary.right.getText(site.sf))
        ? [binary.left, binary.right]
        : ABSENT.has(binary.left.getText(site.sf))
          ? [binary.right, binary.left]
          : [undefined, undefined];
      if (!value || !absent) continue;
      const loose = op === ts.SyntaxKind.EqualsEqualsEqualsToken ? '==' : '!=';
      fixes.push({
        template: 'condition-narrow',
        edits: [{ start: binary.getStart(site.sf), end: binary.getEnd(), text: `${value.getText(site.sf)} ${loose} null` }],
        rationale: `check for a missing value at ${at}: \`${binary.getText(site.sf)}\` misses ${absent.getText(site.sf) === 'null' ? 'undefined' : 'null'}; \`${loose} null\` covers both`,
      });
    }
    return fixes;
  },
};
