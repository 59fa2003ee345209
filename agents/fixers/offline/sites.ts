import { posix } from 'node:path';
import ts from 'typescript';
import type { FixRequest } from '../types.ts';
import { readRegularFile } from '../../../orchestrator/core/files.ts';
import { confinedPath } from '../workspace.ts';
import { declaredFunction, descendants, enclosingFunction, JS_FILE, lineOf, parse, statementOn } from './source.ts';
import type { Site } from './templates/types.ts';

/**
 * A plugin file's text, if it is a regular source file (JavaScript or TypeScript
 * unless `kind` says otherwise) of the plugin's own: no symlink anywhere on the way,
 * nothing under node_modules.
 */
export function readSource(dir: string, file: string, kind: RegExp = JS_FILE): string | undefined {
  if (!kind.test(file) || /(^|\/)(node_modules|site-packages|\.venv)\//.test(file)) return undefined;
  try {
    return readRegularFile(confinedPath(dir, file));
  } catch {
    return undefined;
  }
}

type Parsed = (file: string) => ts.SourceFile | undefined;

/** The plugin file a relative import names (a TypeScript source stands behind its `.js` name). */
function importedFile(from: string, specifier: string, parsed: Parsed): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  return [path, path.replace(/\.js$/, '.ts'), `${path}.js`, `${path}.ts`].find((candidate) => parsed(candidate) !== undefined);
}

/** A function's body by name: declared in the file, or imported into it from another of the plugin's files. */
function functionBody(file: string, sf: ts.SourceFile, name: string, parsed: Parsed): { file: string; sf: ts.SourceFile; body: ts.Node } | undefined {
  const own = declaredFunction(sf, name);
  if (own?.body) return { file, sf, body: own.body };
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.importClause?.namedBindings && ts.isNamedImports(s.importClause.namedBindings)) {
      const imported = s.importClause.namedBindings.elements.find((e) => e.name.text === name);
      if (!imported) continue;
      const target = importedFile(file, s.moduleSpecifier.text, parsed);
      const other = target === undefined ? undefined : parsed(target);
      if (other && target !== undefined) return functionBody(target, other, (imported.propertyName ?? imported.name).text, parsed);
    }
  }
  return undefined;
}

/** The statements of the plugin's own functions that these statements call: a value computed there may be the wrong one. */
function calleeSites(file: string, sf: ts.SourceFile, statements: ts.Node[], parsed: Parsed): { file: string; sf: ts.SourceFile; statement: ts.Node }[] {
  const names = new Set(statements.flatMap((statement) => descendants(statement, ts.isCallExpression).flatMap((c) => (ts.isIdentifier(c.expression) ? [c.expression.text] : []))));
  return [...names].flatMap((name) => {
    const found = functionBody(file, sf, name, parsed);
    if (!found) return [];
    return descendants(found.body, (n): n is ts.Statement => ts.isStatement(n) && !ts.isBlock(n)).map((statement) => ({ file: found.file, sf: found.sf, statement }));
  });
}

/** The plugin's own frames only: a fix never goes into Node, a dependency, or beyond. */
export function ownFrame(suspect: FixRequest['suspects'][number]): suspect is FixRequest['suspects'][number] & { line: number } {
  return suspect.line !== null && (suspect.inApp ?? suspect.reason.startsWith('in-app'));
}

/** The conditions of the two nearest `if`s, loops or `?:` around a statement, inside its function. */
function guardingConditions(statement: ts.Node): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (let at: ts.Node | undefined = statement.parent; at && out.length < 2 && !ts.isFunctionLike(at); at = at.parent) {
    if (ts.isIfStatement(at) || ts.isWhileStatement(at) || ts.isDoStatement(at)) out.push(at.expression);
    else if (ts.isConditionalExpression(at)) out.push(at.condition);
    else if (ts.isForStatement(at) && at.condition) out.push(at.condition);
  }
  return out;
}

/** Enclosing `if`s and loops a site's list takes, beyond the two nearest conditions. */
const CONTROLLING = 4;

/**
 * The statements that decide whether a statement runs and how often: the conditions of
 * the `if`s, `?:`s and loops around it, nearest first, and a `for…of`'s iterable (a
 * loop over `xs.slice(1)` runs once too few). A wrong comparison is as often on the
 * loop or branch around the line that raised as on that line.
 */
function controllingConditions(statement: ts.Node): ts.Expression[] {
  const out: ts.Expression[] = [];
  for (let at: ts.Node | undefined = statement.parent; at && out.length < CONTROLLING && !ts.isFunctionLike(at); at = at.parent) {
    if (ts.isIfStatement(at) || ts.isWhileStatement(at) || ts.isDoStatement(at)) out.push(at.expression);
    else if (ts.isConditionalExpression(at)) out.push(at.condition);
    else if (ts.isForStatement(at) && at.condition) out.push(at.condition);
    else if (ts.isForOfStatement(at) || ts.isForInStatement(at)) out.push(at.expression);
  }
  return out;
}

/** Definitions taken per frame: the values its statement reads, the first-read first. */
const DEFINITIONS = 4;

/**
 * Where the values a statement reads were last set, within its function: for each
 * variable it reads, the last declaration or assignment of it before the statement
 * (a small def-use walk, by position). A wrong value is often made a line or two
 * before the line it breaks.
 */
function definitionSites(statement: ts.Node, fn: ts.FunctionLikeDeclaration | undefined, sf: ts.SourceFile): ts.Node[] {
  if (!fn?.body) return [];
  const at = statement.getStart(sf);
  const read = [
    ...new Set(
      descendants(statement, ts.isIdentifier)
        .filter((id) => !(ts.isPropertyAccessExpression(id.parent) && id.parent.name === id))
        .map((id) => id.text),
    ),
  ];
  const writes = [
    ...descendants(fn.body, ts.isVariableDeclaration).flatMap((d) => (ts.isIdentifier(d.name) && d.initializer ? [{ name: d.name.text, node: d.parent.parent as ts.Node }] : [])),
    ...descendants(fn.body, ts.isBinaryExpression).flatMap((b) =>
      b.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && b.operatorToken.kind <= ts.SyntaxKind.LastAssignment && ts.isIdentifier(b.left) && ts.isExpressionStatement(b.parent)
        ? [{ name: b.left.text, node: b.parent as ts.Node }]
        : [],
    ),
  ].filter((w) => w.node.getEnd() <= at && enclosingFunction(w.node) === fn);
  return read
    .flatMap((name) => {
      const last = writes.filter((w) => w.name === name).sort((a, b) => b.node.getStart(sf) - a.node.getStart(sf))[0];
      return last ? [last.node] : [];
    })
    .slice(0, DEFINITIONS);
}

/** A function's name as its callers call it: `function f`, `const f = () => …`, a method `f(…) {…}`. */
function nameOf(fn: ts.FunctionLikeDeclaration | undefined): string | undefined {
  if (!fn) return undefined;
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.getText();
  return ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
}

/** Calls per file of a frame's function, taken as sites. */
const CALL_SITES = 4;

/** The calls of a function in the file: a wrong argument is made where it is called, not where it fails. */
function callSites(sf: ts.SourceFile, name: string | undefined): ts.CallExpression[] {
  if (!name) return [];
  return descendants(sf, ts.isCallExpression)
    .filter((c) => (ts.isIdentifier(c.expression) && c.expression.text === name) || (ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === name))
    .slice(0, CALL_SITES);
}

/**
 * Where the state a check reads was set: for each `let` of the function that the
 * statement's or its guards' conditions name, the assignments to it and the
 * condition of the `if` each sits in. `if (inQuotes) throw …` is right to throw; the
 * defect is where `inQuotes = true` was allowed to happen.
 */
function writerSites(statement: ts.Node, fn: ts.FunctionLikeDeclaration | undefined): ts.Node[] {
  if (!fn?.body) return [];
  const conditions = [...(ts.isIfStatement(statement) ? [statement.expression] : []), ...guardingConditions(statement)];
  const read = new Set(conditions.flatMap((c) => descendants(c, ts.isIdentifier).map((id) => id.text)));
  const mutable = new Set(
    descendants(fn.body, ts.isVariableDeclarationList)
      .filter((list) => list.flags & ts.NodeFlags.Let)
      .flatMap((list) => list.declarations.flatMap((d) => (ts.isIdentifier(d.name) && read.has(d.name.text) ? [d.name.text] : []))),
  );
  const assignments = descendants(fn.body, ts.isBinaryExpression).filter(
    (b) => b.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(b.left) && mutable.has(b.left.text),
  );
  return assignments.flatMap((a) => {
    const own = a.parent;
    const guard = guardingConditions(own)[0];
    return [...(guard && ts.isIfStatement(guard.parent) ? [guard] : []), ...(ts.isExpressionStatement(own) ? [own] : [])];
  });
}

/** Callees' `return`s ranked early, at most: the spectrum after them must still get its turn. */
const RETURNS = 8;
const RETURNS_PER_FUNCTION = 2;

/**
 * Where to try fixes, most suspicious first: the statements of the stack's in-app
 * frames (as the agent ranked them), each with a caller's call of the frame below it
 * and the conditions and loop headers that control it, then where the state those
 * conditions read was set, then the last definitions of the values the frames'
 * statements read, then the calls of the frames' functions in their files (a wrong
 * argument), then (a few of) the `return`s of the
 * plugin's functions the frames called, then the lines coverage ranks most suspicious
 * (`spectrum`, Ochiai), then the statements just before each frame's line in its
 * function, then the rest of the plugin's functions those lines call (in the
 * same file or imported from another): a wrong value is often made in a function
 * that has returned by the time it does harm.
 */
export function suspectSites(request: FixRequest, limit = 40, spectrum: readonly { file: string; line: number }[] = []): Site[] {
  const first: Site[] = [];
  const definitions: Site[] = [];
  const callers: Site[] = [];
  const writers: Site[] = [];
  const suspicious: Site[] = [];
  const before: Site[] = [];
  const returns: Site[] = [];
  const returnsOf = new Map<ts.Node, number>();
  const callees: Site[] = [];
  const cache = new Map<string, ts.SourceFile | undefined>();
  const parsed: Parsed = (file) => {
    if (!cache.has(file)) {
      const text = readSource(request.dir, file);
      cache.set(file, text === undefined ? undefined : parse(file, text));
    }
    return cache.get(file);
  };
  const error = request.reproduction.error ?? undefined;
  const site = (file: string, sf: ts.SourceFile, statement: ts.Node): Site => ({ file, sf, statement, line: lineOf(sf, statement.getStart(sf)), ...(error ? { error } : {}) });
  let callee: string | undefined;
  for (const suspect of request.suspects) {
    if (!ownFrame(suspect)) continue;
    const sf = parsed(suspect.file);
    const statement = sf && statementOn(sf, suspect.line);
    if (!sf || !statement) continue;
    first.push(site(suspect.file, sf, statement));
    // The caller's own call of the frame below it: an argument made wrong there fails in the callee.
    const call = callee === undefined ? undefined : callSites(sf, callee).find((c) => c.getStart(sf) >= statement.getStart(sf) && c.getEnd() <= statement.getEnd());
    if (call) first.push(site(suspect.file, sf, call));
    // A throw's or a return's cause is often the condition that led there (`>=` for `>`), or the loop around it.
    for (const condition of controllingConditions(statement)) first.push(site(suspect.file, sf, condition));
    const fn = enclosingFunction(statement);
    callee = nameOf(fn);
    for (const d of definitionSites(statement, fn, sf)) definitions.push(site(suspect.file, sf, d));
    for (const c of callSites(sf, callee)) callers.push(site(suspect.file, sf, c));
    for (const w of writerSites(statement, fn)) writers.push(site(suspect.file, sf, w));
    const earlier = fn?.body
      ? descendants(fn.body, (n): n is ts.Statement => ts.isStatement(n) && !ts.isBlock(n))
          .filter((s) => s.getEnd() <= statement.getStart(sf))
          .slice(-10)
          .reverse()
      : [];
    for (const s of earlier) before.push(site(suspect.file, sf, s));
    // What a callee returns is the value the frame went on with: a few of those statements come early.
    for (const c of calleeSites(suspect.file, sf, [statement, ...earlier], parsed)) {
      const callee = enclosingFunction(c.statement);
      const taken = callee ? (returnsOf.get(callee) ?? 0) : 0;
      if (callee && ts.isReturnStatement(c.statement) && taken < RETURNS_PER_FUNCTION && returns.length < RETURNS) {
        returnsOf.set(callee, taken + 1);
        returns.push(site(c.file, c.sf, c.statement));
      } else callees.push(site(c.file, c.sf, c.statement));
    }
  }
  // Then the lines Ochiai ranks highest: executed by the failing run, by few passing ones.
  for (const { file, line } of spectrum) {
    const sf = parsed(file);
    const statement = sf && statementOn(sf, line);
    if (sf && statement) suspicious.push(site(file, sf, statement));
  }
  const seen = new Set<string>();
  return [...first, ...writers, ...definitions, ...callers, ...returns, ...suspicious, ...before, ...callees]
    .filter((s) => {
      const key = `${s.file}:${s.statement.getStart(s.sf)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, limit);
}
