import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, TemplateFix } from './types.ts';

const SHORT_CIRCUIT = new Set([
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * Whether `node` is evaluated whenever `statement` runs: a guard before the statement
 * may then refuse what the read would have crashed on, and nothing else. Not past a
 * short circuit's right side, a `?:` branch, an optional chain, a function, or the
 * body of an `if`, loop, `switch` or `try` (their header, evaluated first, is fine).
 */
function unconditional(node: ts.Node, statement: ts.Statement): boolean {
  for (let at: ts.Node = node; at !== statement; at = at.parent) {
    const parent = at.parent;
    if (ts.isFunctionLike(parent) || ts.isBlock(parent) || ts.isTryStatement(parent) || ts.isCatchClause(parent) || ts.isCaseBlock(parent)) return false;
    if (ts.isConditionalExpression(parent) && at !== parent.condition) return false;
    if (ts.isBinaryExpression(parent) && at === parent.right && SHORT_CIRCUIT.has(parent.operatorToken.kind)) return false;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent) || ts.isCallExpression(parent)) && parent.questionDotToken) return false;
    if ((ts.isIfStatement(parent) || ts.isSwitchStatement(parent) || ts.isWhileStatement(parent)) && at !== parent.expression) return false;
    if (ts.isIterationStatement(parent, false) && !ts.isWhileStatement(parent)) return false;
  }
  return true;
}

/** The names a part of a property chain: `input.options` of `input.options.width`. */
function chain(expression: ts.Expression): { root: ts.Identifier; path: string[] } | undefined {
  const path: string[] = [];
  let at: ts.Expression = expression;
  while (ts.isPropertyAccessExpression(at) && !at.questionDotToken) {
    path.unshift(at.name.text);
    at = at.expression;
  }
  return ts.isIdentifier(at) ? { root: at, path } : undefined;
}

/**
 * The null guard's third fallback, a contract error: where the missing value is part
 * of what the function was given (`input.options`, a parameter's property chain),
 * read whenever the statement runs, a guard before the statement refuses the call
 * with a `TypeError` that names it, instead of a crash somewhere inside. It cannot
 * make the call succeed, so it holds only when the reproduction ends in exactly that
 * error (see `Candidate.refuses`), and it ranks after every fix that does.
 */
export function contractError(site: Site, access: ts.PropertyAccessExpression, why: string): TemplateFix | undefined {
  const statement = site.statement;
  if (!ts.isStatement(statement) || !(ts.isBlock(statement.parent) || ts.isSourceFile(statement.parent))) return undefined;
  const fn = enclosingFunction(statement);
  if (!fn?.body || enclosingFunction(access) !== fn || !unconditional(access, statement)) return undefined;
  const read = chain(access.expression);
  if (!read || !fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === read.root.text)) return undefined;
  // A name the function declares again (a loop's, a catch's, a block's) may not be the parameter at the read.
  const again = (n: ts.Node): n is ts.Identifier =>
    ts.isIdentifier(n) && n.text === read.root.text && (ts.isVariableDeclaration(n.parent) || ts.isBindingElement(n.parent) || ts.isParameter(n.parent)) && n.parent.name === n;
  if (descendants(fn.body, again).length > 0) return undefined;
  const shown = [read.root.text, ...read.path].join('.');
  const message = `${shown} is required`;
  const start = statement.getStart(site.sf);
  const indent = /[ \t]*$/.exec(site.sf.text.slice(site.sf.text.lastIndexOf('\n', start - 1) + 1, start))?.[0] ?? '';
  return {
    template: 'null-guard',
    preference: 3,
    edits: [{ start, end: start, text: `if (${shown} == null) throw new TypeError(${JSON.stringify(message)});\n${indent}` }],
    rationale: `contract error added at ${site.file}:${site.line}: ${why}; a call without \`${shown}\` is now refused with TypeError: ${message}, instead of crashing`,
    refuses: { type: 'TypeError', message },
    refusedPath: read.path,
  };
}
