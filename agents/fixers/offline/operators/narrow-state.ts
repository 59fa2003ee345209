import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';

/** State variables a clause is tried about, most used first. */
const VARIABLES = 3;

/** What a clause may say about a variable, by the kind of value it starts with. */
type Kind = 'string' | 'array' | 'boolean' | 'nullable';

function kindOf(initializer: ts.Expression | undefined): Kind | undefined {
  if (!initializer) return undefined;
  if (ts.isStringLiteral(initializer) || ts.isNoSubstitutionTemplateLiteral(initializer)) return 'string';
  if (ts.isArrayLiteralExpression(initializer)) return 'array';
  if (initializer.kind === ts.SyntaxKind.TrueKeyword || initializer.kind === ts.SyntaxKind.FalseKeyword) return 'boolean';
  if (initializer.kind === ts.SyntaxKind.NullKeyword) return 'nullable';
  return undefined;
}

/** Both clauses about a variable: the state it starts in first (`field === ''`), then the other. */
function clauses(name: string, kind: Kind): [string, string] {
  switch (kind) {
    case 'string':
      return [`${name} === ''`, `${name} !== ''`];
    case 'array':
      return [`${name}.length === 0`, `${name}.length > 0`];
    case 'boolean':
      return [`!${name}`, name];
    case 'nullable':
      return [`${name} == null`, `${name} != null`];
  }
}

/** The `if` whose condition the site is, or is. */
function ifOf(site: Site): ts.IfStatement | undefined {
  const s = site.statement;
  if (ts.isIfStatement(s)) return s;
  return ts.isIfStatement(s.parent) && s.parent.expression === s ? s.parent : undefined;
}

/** Whether `c && clause` would split `c`: `a || b`, `a ?? b`, `x = f()`, `a, b`, `a ? b : c`, `yield`, an arrow. */
function bindsLooserThanAnd(c: ts.Expression): boolean {
  if (ts.isConditionalExpression(c) || ts.isYieldExpression(c) || ts.isArrowFunction(c)) return true;
  if (!ts.isBinaryExpression(c)) return false;
  const op = c.operatorToken.kind;
  return (
    op === ts.SyntaxKind.BarBarToken ||
    op === ts.SyntaxKind.QuestionQuestionToken ||
    op === ts.SyntaxKind.CommaToken ||
    (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment)
  );
}

const throws = (branch: ts.Statement): boolean =>
  ts.isThrowStatement(branch) || (ts.isBlock(branch) && branch.statements.length === 1 && ts.isThrowStatement(branch.statements[0]!));

/**
 * A condition that holds too often: an `if` that must also ask about the state its
 * function keeps (`ch === quote` that should be `ch === quote && field === ''`, a
 * quote only opens an empty field). The clause is about a `let` of the function,
 * started as a string, an array, a flag or null, and the variables the nearest loop
 * uses most are tried first (condition synthesis in the manner of ACS and Nopol).
 * An `if` that only throws is left alone: narrowing it silences the check instead of
 * repairing the state it checks.
 */
export const narrowState: Template = {
  name: 'condition-narrow',
  propose(site: Site): TemplateFix[] {
    const statement = ifOf(site);
    const fn = statement && enclosingFunction(statement);
    if (!statement || !fn?.body || throws(statement.thenStatement)) return [];
    const condition = statement.expression;
    const mentioned = new Set(descendants(condition, ts.isIdentifier).map((id) => id.text));
    const state = new Map<string, Kind>();
    for (const list of descendants(fn.body, ts.isVariableDeclarationList)) {
      // In scope at the `if`: declared before it, in this function (not a closure's), in a block around it.
      // A loop's own `let` lives in the loop; a statement's, in the block around it.
      const block = ts.isIterationStatement(list.parent, false) ? list.parent : list.parent.parent;
      if (
        !(list.flags & ts.NodeFlags.Let) ||
        list.getEnd() > statement.getStart(site.sf) ||
        enclosingFunction(list) !== fn ||
        !(block.getStart(site.sf) <= statement.getStart(site.sf) && statement.getEnd() <= block.getEnd())
      )
        continue;
      for (const d of list.declarations) {
        const kind = kindOf(d.initializer);
        if (kind && ts.isIdentifier(d.name) && !mentioned.has(d.name.text)) state.set(d.name.text, kind);
      }
    }
    let scope: ts.Node = fn.body;
    for (let at: ts.Node = statement.parent; at !== fn.body; at = at.parent) {
      if (ts.isIterationStatement(at, false)) {
        scope = at;
        break;
      }
    }
    const uses = new Map<string, number>();
    for (const id of descendants(scope, ts.isIdentifier)) if (state.has(id.text)) uses.set(id.text, (uses.get(id.text) ?? 0) + 1);
    const chosen = [...uses]
      .sort((a, b) => b[1] - a[1])
      .slice(0, VARIABLES)
      .map(([name]) => name);
    const wrap = bindsLooserThanAnd(condition);
    const at = `${site.file}:${site.line}`;
    const before = condition.getText(site.sf);
    return [0, 1].flatMap((polarity) =>
      chosen.map((name): TemplateFix => {
        const clause = clauses(name, state.get(name)!)[polarity]!;
        const edits = wrap
          ? [
              { start: condition.getStart(site.sf), end: condition.getStart(site.sf), text: '(' },
              { start: condition.getEnd(), end: condition.getEnd(), text: `) && ${clause}` },
            ]
          : [{ start: condition.getEnd(), end: condition.getEnd(), text: ` && ${clause}` }];
        return {
          template: 'condition-narrow',
          edits,
          rationale: `condition narrowed at ${at}: \`${before}\` now also asks \`${clause}\`, so it no longer holds in every state the function reaches there`,
        };
      }),
    );
  },
};
