import ts from 'typescript';
import type { Edit } from '../source.ts';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, TemplateFix } from '../templates/types.ts';

/**
 * How much to prefer a family's fix among validated ones of equal size (lower first;
 * see `Proposed.preference`). A change that can only make a check hold less often
 * (negate, narrow, delete) can silence a crash instead of repairing it, so it ranks last.
 */
export const PREFER = { token: 1, replace: 2, insert: 3, silencing: 4 } as const;

/**
 * A fix of one family at a site. `what` is "<kind of change>: <detail>"; the rationale
 * says where between the two, as every template's does ("operator changed at
 * src/a.js:3: `<` became `<=`").
 */
export function fix(family: string, site: Site, edits: Edit[], what: string, preference: number = PREFER.token): TemplateFix {
  const split = what.indexOf(': ');
  const rationale = split < 0 ? `${what} at ${site.file}:${site.line}` : `${what.slice(0, split)} at ${site.file}:${site.line}${what.slice(split)}`;
  return { template: family, edits, rationale, preference };
}

/** An edit that replaces a node's text. */
export const replace = (sf: ts.SourceFile, node: ts.Node, text: string): Edit => ({ start: node.getStart(sf), end: node.getEnd(), text });

/** Whether an identifier is a use of a variable (not a declaration's name, a property name, a key or a type). */
export function isUse(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent) || ts.isQualifiedName(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  if ((ts.isPropertyAccessExpression(parent) && parent.name === id) || (ts.isPropertyAssignment(parent) && parent.name === id)) return false;
  if (ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (
    (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent) || ts.isClassDeclaration(parent)) &&
    parent.name === id
  )
    return false;
  return !ts.isShorthandPropertyAssignment(parent);
}

/** A variable in scope at a position, with the node that declares it. */
export interface Binding {
  name: string;
  declaration: ts.Node;
  /** The initializer of a `const`/`let`, when it has one. */
  initializer?: ts.Expression;
  /** Declared by the function the site is in (a parameter or a local), not the file. */
  local: boolean;
}

/** The block-like node a declaration is visible in: a loop's own `let` lives in the loop. */
function scopeOf(node: ts.Node): ts.Node {
  for (let at: ts.Node = node.parent; at; at = at.parent) {
    if (ts.isBlock(at) || ts.isSourceFile(at) || ts.isIterationStatement(at, false) || ts.isFunctionLike(at) || ts.isCatchClause(at) || ts.isCaseClause(at)) return at;
  }
  return node.getSourceFile();
}

/**
 * The variables visible at `at` (a node of the site): the enclosing functions'
 * parameters, and the `const`/`let`/`var`s, functions and imports declared before it in
 * a block around it, innermost first. A name declared twice counts once, its nearest.
 */
export function bindingsAt(sf: ts.SourceFile, at: ts.Node): Binding[] {
  const pos = at.getStart(sf);
  const fn = enclosingFunction(at);
  const visible = (decl: ts.Node): boolean => {
    const scope = scopeOf(decl);
    return scope.getStart(sf) <= pos && at.getEnd() <= scope.getEnd();
  };
  const out = new Map<string, Binding>();
  const add = (name: ts.BindingName | ts.Identifier | undefined, declaration: ts.Node, initializer?: ts.Expression): void => {
    if (!name) return;
    const local = fn !== undefined && declaration.pos >= fn.pos && declaration.end <= fn.end;
    for (const id of ts.isIdentifier(name) ? [name] : descendants(name, ts.isIdentifier).filter((i) => ts.isBindingElement(i.parent) && i.parent.name === i)) {
      const previous = out.get(id.text);
      if (!previous || previous.declaration.getStart(sf) < declaration.getStart(sf))
        out.set(id.text, { name: id.text, declaration, local, ...(initializer && ts.isIdentifier(name) ? { initializer } : {}) });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.getEnd() <= pos && visible(node.parent)) add(node.name, node, node.initializer);
    else if (
      ts.isVariableDeclaration(node) &&
      ts.isForOfStatement(node.parent.parent) &&
      node.parent.parent.statement.getStart(sf) <= pos &&
      at.getEnd() <= node.parent.parent.getEnd()
    )
      add(node.name, node);
    else if (ts.isParameter(node) && ts.isFunctionLike(node.parent) && node.parent.getStart(sf) <= pos && at.getEnd() <= node.parent.getEnd()) add(node.name, node);
    else if (ts.isFunctionDeclaration(node) && node.name && visible(node)) add(node.name, node);
    else if (ts.isImportSpecifier(node) || ts.isImportClause(node) || ts.isNamespaceImport(node)) add(node.name, node);
    node.forEachChild(visit);
  };
  visit(sf);
  return [...out.values()].sort((a, b) => b.declaration.getStart(sf) - a.declaration.getStart(sf));
}

/** The condition a site is, or the condition of the `if`, loop or `?:` a site is. */
export function conditionOf(site: Site): ts.Expression | undefined {
  const s = site.statement;
  if (ts.isIfStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s)) return s.expression;
  if (ts.isForStatement(s)) return s.condition;
  const parent = s.parent;
  if (parent && (ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === s) return s as ts.Expression;
  if (parent && ts.isForStatement(parent) && parent.condition === s) return s as ts.Expression;
  if (parent && ts.isConditionalExpression(parent) && parent.condition === s) return s as ts.Expression;
  return undefined;
}

/** Whether `c && x` or `!c` would need parentheses around `c` to keep its meaning. */
export function needsParens(c: ts.Expression): boolean {
  return !(
    ts.isIdentifier(c) ||
    ts.isPropertyAccessExpression(c) ||
    ts.isElementAccessExpression(c) ||
    ts.isCallExpression(c) ||
    ts.isParenthesizedExpression(c) ||
    ts.isPrefixUnaryExpression(c)
  );
}

/** An `if` whose only effect is to throw: making it hold less often silences the check. */
export function onlyThrows(statement: ts.Statement): boolean {
  return ts.isThrowStatement(statement) || (ts.isBlock(statement) && statement.statements.length === 1 && ts.isThrowStatement(statement.statements[0]!));
}

/** The binary expressions of a site whose operator is one of `kinds`, outermost first (a callback's body included: it is often where the defect is). */
export function binaries(site: Site, kinds: ReadonlySet<ts.SyntaxKind> | Partial<Record<ts.SyntaxKind, unknown>>): ts.BinaryExpression[] {
  const has = (k: ts.SyntaxKind): boolean => (kinds instanceof Set ? kinds.has(k) : k in kinds);
  return descendants(site.statement, ts.isBinaryExpression).filter((b) => has(b.operatorToken.kind));
}

const LOOSE = new Set([ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken]);

/**
 * One family of operator replacements: each operator of the map becomes each of its
 * alternatives, the likeliest first. A swap to or from `??` wraps the expression, since
 * `??` may not sit unparenthesised beside `||` or `&&`.
 */
export function swapOperators(
  family: string,
  site: Site,
  swaps: Partial<Record<ts.SyntaxKind, readonly string[]>>,
  skip: (b: ts.BinaryExpression) => boolean = () => false,
): TemplateFix[] {
  // The first alternative of every operator of the site before any second one: `>=` for `>` on the third comparison beats `<` for `>` on the first.
  const pairs = binaries(site, swaps)
    .filter((binary) => !skip(binary))
    .flatMap((binary) => (swaps[binary.operatorToken.kind] ?? []).map((swap, rank) => ({ binary, swap, rank })))
    .sort((a, b) => a.rank - b.rank);
  return pairs.map(({ binary, swap }) => {
    const token = binary.operatorToken;
    const nullish = swap === '??' || token.kind === ts.SyntaxKind.QuestionQuestionToken;
    // Nor may an unparenthesised `&&` or `||` be an operand of `??`.
    const operand = (e: ts.Expression): string => (ts.isBinaryExpression(e) && LOOSE.has(e.operatorToken.kind) ? `(${e.getText(site.sf)})` : e.getText(site.sf));
    const edits = nullish
      ? [replace(site.sf, binary, `(${operand(binary.left)} ${swap} ${operand(binary.right)})`)]
      : [{ start: token.getStart(site.sf), end: token.getEnd(), text: swap }];
    return fix(family, site, edits, `operator changed: \`${token.getText(site.sf)}\` became \`${swap}\` in \`${binary.getText(site.sf).slice(0, 80)}\``);
  });
}

/** Names the file indexes (`name[...]`): what an indexed name may be replaced by, since indexing a count or a character reads undefined for every input. */
export function indexedNames(sf: ts.SourceFile): Set<string> {
  return new Set(descendants(sf, ts.isElementAccessExpression).flatMap((access) => (ts.isIdentifier(access.expression) ? [access.expression.text] : [])));
}

/** Whether `id` is what an element access indexes (`id[...]`). */
export const isIndexed = (id: ts.Identifier): boolean => ts.isElementAccessExpression(id.parent) && id.parent.expression === id;

/**
 * The statement's nodes of a slip and, when the same slip is made elsewhere in its
 * function (or file), all of them: the lists to try, the statement's first. A slip made
 * once is often made again a few lines on (a misspelt name used twice), and fixing one
 * leaves the call failing on the next.
 */
export function repeated<T extends ts.Node>(site: Site, ours: readonly T[], match: (node: ts.Node) => node is T): T[][] {
  if (ours.length === 0) return [];
  const everywhere = descendants(enclosingFunction(site.statement) ?? site.sf, match);
  return everywhere.length > ours.length ? [[...ours], everywhere] : [[...ours]];
}
