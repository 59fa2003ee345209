import { Script } from 'node:vm';
import ts from 'typescript';

/** One replacement of a span of the original text: the diff stays as small as the change. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export const JS_FILE = /\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/;

/** A JavaScript or TypeScript file parsed with TypeScript's own parser (no type check). */
export function parse(path: string, text: string): ts.SourceFile {
  const kind = /\.tsx$/.test(path) ? ts.ScriptKind.TSX : /\.[cm]?ts$/.test(path) ? ts.ScriptKind.TS : /\.jsx$/.test(path) ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
}

/**
 * Whether the text is a program Node would load: TypeScript's parser forgives what V8
 * refuses (`a || b ?? c`, `x?.y = 1`), so the text is transpiled and compiled by V8.
 */
export function compiles(path: string, text: string): boolean {
  const js = ts.transpileModule(text, { fileName: path, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true } }).outputText;
  try {
    new Script(js, { filename: path });
    return true;
  } catch {
    return false;
  }
}

/** The text with the edits made; edits must not overlap. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.end > sorted[i - 1]!.start) throw new Error('overlapping edits');
  }
  return sorted.reduce((out, e) => out.slice(0, e.start) + e.text + out.slice(e.end), text);
}

/** 1-based line of a position. */
export function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** The indentation of the line a node starts on. */
export function indentOf(sf: ts.SourceFile, node: ts.Node): string {
  const line = sf.text.lastIndexOf('\n', node.getStart(sf) - 1) + 1;
  return /^[ \t]*/.exec(sf.text.slice(line))?.[0] ?? '';
}

/**
 * An edit adding `text` as a line of its own after the line `node` ends on, indented
 * as `node`: the line's own text (a comment too) stays whole, and the new line takes
 * the line's own break, so a CRLF file stays CRLF.
 */
export function lineAfter(sf: ts.SourceFile, node: ts.Node, text: string): Edit {
  const next = sf.getLineStarts()[sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1];
  const crlf = next !== undefined && sf.text[next - 2] === '\r';
  const at = next === undefined ? sf.text.length : next - (crlf ? 2 : 1);
  return { start: at, end: at, text: `${crlf ? '\r\n' : '\n'}${indentOf(sf, node)}${text}` };
}

/** The span of a node's whole lines, line ending included, when nothing but blanks shares them; undefined when other code does. */
export function wholeLines(sf: ts.SourceFile, node: ts.Node): { start: number; end: number } | undefined {
  const start = sf.text.lastIndexOf('\n', node.getStart(sf) - 1) + 1;
  const end = sf.text.indexOf('\n', node.getEnd());
  const alone = sf.text.slice(start, node.getStart(sf)).trim() === '' && sf.text.slice(node.getEnd(), end === -1 ? undefined : end).trim() === '';
  return alone ? { start, end: end === -1 ? sf.text.length : end + 1 } : undefined;
}

/** Every node that starts on `line` or spans it, innermost last. */
function nodesOn(sf: ts.SourceFile, line: number): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    const from = lineOf(sf, node.getStart(sf));
    const to = lineOf(sf, node.getEnd());
    if (from > line || to < line) return;
    out.push(node);
    node.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return out;
}

/**
 * The statement of `line`, where a template looks for something to change: the
 * outermost one that lies wholly on the line (`if (i < n) return a[i];` as a whole),
 * else the innermost one that spans it.
 */
export function statementOn(sf: ts.SourceFile, line: number): ts.Node | undefined {
  const statements = nodesOn(sf, line).filter((n) => ts.isStatement(n) && !ts.isBlock(n) && lineOf(sf, n.getStart(sf)) <= line);
  return statements.find((n) => lineOf(sf, n.getStart(sf)) === line && lineOf(sf, n.getEnd()) === line) ?? statements.at(-1);
}

/** Descendants of `node` (itself included) that satisfy `is`. */
export function descendants<T extends ts.Node>(node: ts.Node, is: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node): void => {
    if (is(n)) out.push(n);
    n.forEachChild(visit);
  };
  visit(node);
  return out;
}

/** The function a node is in, if any. */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (ts.isFunctionDeclaration(at) || ts.isFunctionExpression(at) || ts.isArrowFunction(at) || ts.isMethodDeclaration(at)) return at;
  }
  return undefined;
}

export function text(sf: ts.SourceFile, node: ts.Node): string {
  return node.getText(sf);
}

/** A function the file declares at its top level by name: `function f` or `const f = (…) => …`. */
export function declaredFunction(sf: ts.SourceFile, name: string): ts.FunctionLikeDeclaration | undefined {
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === name && s.body) return s;
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return d.initializer;
    }
  }
  return undefined;
}
