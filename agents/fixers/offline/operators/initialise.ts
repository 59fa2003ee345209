import ts from 'typescript';
import { descendants, enclosingFunction, indentOf, wholeLines } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER } from './common.ts';

/** Values tried per site. */
const VALUES = 4;

const TDZ = /^Cannot access '([\w$]+)' before initialization/;
const UNDEFINED = /^Cannot read properties of undefined|^undefined is not|is undefined$/;

/** The statement list that holds a statement. */
const listOf = (node: ts.Node): ts.NodeArray<ts.Statement> | undefined =>
  ts.isBlock(node.parent) || ts.isSourceFile(node.parent) || ts.isCaseClause(node.parent) ? node.parent.statements : undefined;

/** The statement and each statement around it, up to the function's body. */
function chain(node: ts.Node, fn: ts.Node): ts.Statement[] {
  const out: ts.Statement[] = [];
  for (let at: ts.Node | undefined = node; at && at !== fn; at = at.parent) if (ts.isStatement(at) && !ts.isBlock(at)) out.push(at);
  return out;
}

/** Before the first of the two statements in the innermost block holding both; none where one holds the other. */
function insertion(assigned: ts.Node, read: ts.Node, fn: ts.Node, sf: ts.SourceFile): ts.Statement | undefined {
  const ours = chain(assigned, fn);
  const theirs = chain(read, fn);
  for (const a of ours) {
    for (const r of theirs) {
      const list = listOf(a);
      if (a !== r && list && list === listOf(r)) return a.getStart(sf) < r.getStart(sf) ? a : r;
    }
  }
  return undefined;
}

/** Whether a statement (or what it holds) assigns the variable. */
const assignmentsOf = (fn: ts.Node, name: string): ts.BinaryExpression[] =>
  descendants(
    fn,
    (n): n is ts.BinaryExpression =>
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(n.left) &&
      n.left.text === name,
  );

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `best = p` beside `top = p[1]`, with `top` first set to `people[0][1]`: the `people[0]` that `p` stands for. */
function paired(assigned: ts.BinaryExpression, fn: ts.Node, sf: ts.SourceFile): string[] {
  if (!ts.isIdentifier(assigned.right) || !ts.isExpressionStatement(assigned.parent)) return [];
  const v = assigned.right.text;
  const out: string[] = [];
  for (const s of listOf(assigned.parent) ?? []) {
    if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression === assigned) continue;
    const { left, right, operatorToken } = s.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(left)) continue;
    const later = right.getText(sf);
    // The item's name as a whole token (not `p` in `pop` nor in `x.p`).
    const token = new RegExp(`(?<![\\w$.])${escape(v)}(?![\\w$])`).exec(later);
    if (!token) continue;
    const pattern = new RegExp(`^${escape(later.slice(0, token.index))}(.+)${escape(later.slice(token.index + v.length))}$`);
    const firsts = descendants(fn, ts.isVariableDeclaration).filter((d) => ts.isIdentifier(d.name) && d.name.text === left.text && d.initializer);
    for (const d of firsts) {
      const found = pattern.exec(d.initializer!.getText(sf));
      if (found?.[1] && found[1] !== v) out.push(found[1]);
    }
  }
  return out;
}

const PRODUCTS = new Set([
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
]);

/** The empty value of how a variable is used: a count starts at 0 (a product at 1), a list at [], a text at ''. */
function neutral(assignments: readonly ts.BinaryExpression[], name: string, fn: ts.Node): string {
  for (const a of assignments) {
    // An update: `x op= v`, or `x = x op v`.
    const self = ts.isBinaryExpression(a.right) && ts.isIdentifier(a.right.left) && a.right.left.text === name ? a.right : undefined;
    const update =
      a.operatorToken.kind !== ts.SyntaxKind.EqualsToken ? { op: a.operatorToken.kind, by: a.right } : self ? { op: self.operatorToken.kind, by: self.right } : undefined;
    if (update && PRODUCTS.has(update.op)) return '1';
    const value = update?.by ?? a.right;
    if (ts.isArrayLiteralExpression(value)) return '[]';
    if (ts.isStringLiteralLike(value) || ts.isTemplateExpression(value)) return "''";
    if (update && ts.isObjectLiteralExpression(value)) return '{}';
    if (update || ts.isNumericLiteral(value)) return '0';
  }
  const pushed = descendants(fn, ts.isPropertyAccessExpression).some(
    (p) => ts.isIdentifier(p.expression) && p.expression.text === name && /^(push|concat|unshift)$/.test(p.name.text),
  );
  return pushed ? '[]' : 'null';
}

/** Where a constant set in a branch starts: a flag the other way, a number at 0, text empty; undefined for what is not a constant. */
function opposite(value: ts.Expression): string[] | undefined {
  if (value.kind === ts.SyntaxKind.TrueKeyword) return ['false'];
  if (value.kind === ts.SyntaxKind.FalseKeyword) return ['true'];
  if (ts.isNumericLiteral(value)) return Number(value.text) === 0 ? [] : ['0'];
  if (ts.isStringLiteralLike(value)) return value.text === '' ? [] : ["''"];
  if (value.kind === ts.SyntaxKind.NullKeyword) return [];
  return undefined;
}

/** The file's own line ending. */
const newlineOf = (sf: ts.SourceFile): string => (sf.text.includes('\r\n') ? '\r\n' : '\n');

/** Whether every name an expression reads (but `name` itself) is bound at `at`, or a global. */
function closedAt(sf: ts.SourceFile, at: ts.Node, e: ts.Expression, name: string): boolean {
  const bound = new Set(bindingsAt(sf, at).map((b) => b.name));
  return descendants(e, ts.isIdentifier).every((id) => !isUse(id) || (id.text !== name && (id.text === 'undefined' || bound.has(id.text) || Object.hasOwn(globalThis, id.text))));
}

/** Read before its `let`/`const`: the declaration (alone in its statement, its names bound there) moves up, before the read. */
function moveUp(site: Site, fn: ts.Node, name: string): TemplateFix[] {
  const { sf, statement } = site;
  const declaration = descendants(fn, ts.isVariableDeclaration).find((d) => ts.isIdentifier(d.name) && d.name.text === name);
  const list = declaration?.parent;
  if (!declaration?.initializer || !list || !ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent) || list.declarations.length !== 1) return [];
  const moved = list.parent;
  const at = insertion(moved, statement, fn, sf);
  if (!at || at === moved || !closedAt(sf, at, declaration.initializer, name)) return [];
  // Only a declaration alone on its lines moves whole: anything beside it would go with the line.
  const lines = wholeLines(sf, moved);
  if (!lines) return [];
  const keyword = moved.getText(sf).split(/\s/)[0] ?? 'let';
  return [
    fix(
      'initialise',
      site,
      [
        { start: at.getStart(sf), end: at.getStart(sf), text: `${moved.getText(sf)}${newlineOf(sf)}${indentOf(sf, at)}` },
        { ...lines, text: '' },
      ],
      `declaration moved: \`${name}\` was read before its \`${keyword}\`, which now comes first`,
      PREFER.insert,
    ),
  ];
}

/** Declared without a value and set only in a loop or branch: a value before the code that sets it. */
function giveValue(site: Site, fn: ts.Node, name: string, seen: Set<string>): TemplateFix[] {
  const { sf, statement } = site;
  // The declaration the read sees (not another of the same name in a nested scope), a local one.
  const bound = bindingsAt(sf, statement).find((b) => b.name === name);
  const declaration = bound?.local && ts.isVariableDeclaration(bound.declaration) ? bound.declaration : undefined;
  const loop = declaration?.parent.parent;
  if (!declaration || declaration.initializer || (loop && (ts.isForOfStatement(loop) || ts.isForInStatement(loop)))) return [];
  const assignments = assignmentsOf(fn, name);
  // The failing read first; an update that reads the variable itself places the value by the reads after it.
  const readers = [statement, ...descendants(fn, ts.isIdentifier).filter((id) => isUse(id) && id.text === name && !assignments.some((a) => a.left === id))];
  const out: TemplateFix[] = [];
  for (const setter of assignments) {
    for (const reader of readers) {
      const at = insertion(setter, reader, fn, sf);
      if (!at) continue;
      const plain = setter.operatorToken.kind === ts.SyntaxKind.EqualsToken;
      // A constant set where a branch or loop decides is what it decides, not where it starts.
      const told = plain ? opposite(setter.right) : undefined;
      const copy = told ?? (plain && closedAt(sf, at, setter.right, name) ? [setter.right.getText(sf)] : []);
      const values = [...copy, ...paired(setter, fn, sf)];
      for (const value of values.length > 0 || told ? values : [neutral(assignments, name, fn)]) {
        const key = `${at.pos}:${value}`;
        if (seen.has(key) || seen.size >= VALUES) continue;
        seen.add(key);
        const line = sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1;
        out.push(
          fix(
            'initialise',
            site,
            [{ start: at.getStart(sf), end: at.getStart(sf), text: `${name} = ${value};${newlineOf(sf)}${indentOf(sf, at)}` }],
            `\`${name}\` initialised: \`${name} = ${value}\` before line ${line}, where the path that failed had not set it`,
            PREFER.insert,
          ),
        );
      }
    }
  }
  return out;
}

/**
 * A variable read on a path where nothing set it: declared without a value (`let best;`,
 * read as `undefined`) and set only in a loop or branch, or read before its `let`
 * (a ReferenceError of the temporal dead zone). It gets a value before the code that
 * sets it, in the innermost block holding both that code and the read, so once per pass
 * of what encloses them. The value is what the code says: a copy of an assignment whose
 * names are bound there, the value an argmax-style assignment pairs with, and only when
 * it says neither, the empty value of how it is used. The same family as Python's.
 */
export const initialise: Template = {
  name: 'initialise',
  propose(site: Site): TemplateFix[] {
    const { statement, error } = site;
    const fn = enclosingFunction(statement)?.body;
    if (!error || !fn) return [];
    const early = error.type === 'ReferenceError' ? TDZ.exec(error.message)?.[1] : undefined;
    if (early) return descendants(statement, ts.isIdentifier).some((id) => isUse(id) && id.text === early) ? moveUp(site, fn, early) : [];
    if (error.type !== 'TypeError' || !UNDEFINED.test(error.message)) return [];
    const seen = new Set<string>();
    const names = new Set(descendants(statement, ts.isIdentifier).flatMap((id) => (isUse(id) ? [id.text] : [])));
    return [...names].flatMap((name) => giveValue(site, fn, name, seen));
  },
};
