import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site } from '../templates/types.ts';
import { bindingsAt, conditionOf, isUse } from './common.ts';

/** Values a clause may be about, the condition's own first: at most this many. */
const SUBJECTS = 3;

/** A value a clause asks about, and the empty value of its kind when the code tells it. */
interface Subject {
  text: string;
  empty?: string;
}

/** What `x` is empty as, from its initializer or from what the code reads of it. */
function emptyOf(text: string, init: ts.Expression | undefined, readsLength: boolean): string | undefined {
  if (init && ts.isStringLiteralLike(init)) return `${text} === ''`;
  if ((init && ts.isArrayLiteralExpression(init)) || readsLength) return `${text}.length === 0`;
  if (init && ts.isNumericLiteral(init)) return `${text} === 0`;
  return undefined;
}

/**
 * The variables (locals included) and parameter properties that the site's condition
 * reads, then those its branch reads when the branch is one statement: the values a
 * missing clause is most likely about.
 */
export function subjects(site: Site): { condition: ts.Expression; subjects: Subject[] } | undefined {
  const condition = conditionOf(site);
  if (!condition) return undefined;
  const owner = condition.parent;
  const branch = ts.isIfStatement(owner) ? owner.thenStatement : undefined;
  const small = branch && (!ts.isBlock(branch) || branch.statements.length <= 2) ? [branch] : [];
  const bindings = new Map(
    bindingsAt(site.sf, condition)
      .filter((b) => !ts.isFunctionDeclaration(b.declaration) && !ts.isImportSpecifier(b.declaration) && !ts.isImportClause(b.declaration))
      .map((b) => [b.name, b]),
  );
  const out = new Map<string, Subject>();
  for (const node of [condition, ...small]) {
    for (const id of descendants(node, ts.isIdentifier)) {
      const binding = bindings.get(id.text);
      if (!binding || !isUse(id) || out.has(id.text)) continue;
      // `input.options` where the condition reads a parameter's property: the property may be the missing one.
      const parent = id.parent;
      const member = ts.isPropertyAccessExpression(parent) && parent.expression === id && !ts.isCallExpression(parent.parent) && parent.name.text !== 'length' ? parent : undefined;
      const readsLength = ts.isPropertyAccessExpression(parent) && parent.name.text === 'length';
      const empty = emptyOf(id.text, binding.initializer, readsLength);
      out.set(id.text, { text: id.text, ...(empty ? { empty } : {}) });
      if (member && !out.has(member.getText(site.sf))) out.set(member.getText(site.sf), { text: member.getText(site.sf) });
    }
  }
  return { condition, subjects: [...out.values()].slice(0, SUBJECTS) };
}

/** Whether `clause || c` (or `&&`) would split `c`: `?:`, an assignment, a comma, `??`, `yield`, an arrow; `&&` also splits an `||`. */
export function splits(c: ts.Expression, and: boolean): boolean {
  if (ts.isConditionalExpression(c) || ts.isYieldExpression(c) || ts.isArrowFunction(c)) return true;
  if (!ts.isBinaryExpression(c)) return false;
  const op = c.operatorToken.kind;
  return (
    op === ts.SyntaxKind.QuestionQuestionToken ||
    op === ts.SyntaxKind.CommaToken ||
    (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) ||
    (and && op === ts.SyntaxKind.BarBarToken)
  );
}
