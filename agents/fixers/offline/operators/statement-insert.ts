import ts from 'typescript';
import { descendants, enclosingFunction, indentOf } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER } from './common.ts';

/** Donor statements tried per site, each before and after it. */
const DONORS = 4;
const MAX_CHARS = 160;

/** Names any module may use without declaring them. */
const GLOBALS = new Set(
  'Math JSON Number String Object Array Boolean Symbol Map Set WeakMap Promise Date RegExp Error TypeError RangeError SyntaxError BigInt console process Buffer undefined NaN Infinity parseInt parseFloat isNaN isFinite encodeURIComponent decodeURIComponent structuredClone setTimeout clearTimeout URL'.split(
    ' ',
  ),
);

const inLoop = (node: ts.Node): boolean => {
  for (let at = node.parent; at && !ts.isFunctionLike(at); at = at.parent) if (ts.isIterationStatement(at, false) || ts.isSwitchStatement(at)) return true;
  return false;
};

/** A statement worth copying: one line, no declaration, no unconditional exit; a `break`/`continue` only inside an `if`. */
function donorKind(s: ts.Statement, sf: ts.SourceFile): boolean {
  const text = s.getText(sf);
  if (text.includes('\n') || text.length > MAX_CHARS) return false;
  if (ts.isExpressionStatement(s)) return !ts.isStringLiteral(s.expression);
  if (!ts.isIfStatement(s) || s.elseStatement) return false;
  const then = ts.isBlock(s.thenStatement) && s.thenStatement.statements.length === 1 ? s.thenStatement.statements[0]! : s.thenStatement;
  return ts.isExpressionStatement(then) || ts.isReturnStatement(then) || ts.isThrowStatement(then) || ts.isContinueStatement(then) || ts.isBreakStatement(then);
}

/** Whether every name the donor reads (and does not declare itself) is in scope at the site, or a global. */
function closed(donor: ts.Statement, site: Site, scope: ReadonlySet<string>): boolean {
  const own = new Set(
    descendants(donor, ts.isIdentifier)
      .filter((id) => !isUse(id) && (ts.isParameter(id.parent) || ts.isVariableDeclaration(id.parent) || ts.isBindingElement(id.parent)))
      .map((id) => id.text),
  );
  if (descendants(donor, (n): n is ts.BreakOrContinueStatement => ts.isBreakOrContinueStatement(n)).length > 0 && !inLoop(site.statement)) return false;
  return descendants(donor, ts.isIdentifier).every((id) => !isUse(id) || own.has(id.text) || scope.has(id.text) || GLOBALS.has(id.text));
}

/**
 * A missing statement that the function (or the file) already has elsewhere: one of its
 * one-line statements copied before or after the suspect statement, nearest first
 * (GenProg's insertion, with donor code from the same file), only where every name it
 * reads is in scope. It changes more than a token, so it ranks after the one-token families.
 */
export const statementInsert: Template = {
  name: 'statement-insert',
  propose(site: Site): TemplateFix[] {
    const sf = site.sf;
    const target = site.statement;
    const list = target.parent;
    if (!ts.isStatement(target) || !list || !(ts.isBlock(list) || ts.isSourceFile(list) || ts.isCaseClause(list))) return [];
    const fn = enclosingFunction(target);
    const scope = new Set(bindingsAt(sf, target).map((b) => b.name));
    const neighbours = new Set(list.statements.map((s) => s.getText(sf)));
    const distance = (s: ts.Node): number => (enclosingFunction(s) === fn ? 0 : 1e9) + Math.abs(s.getStart(sf) - target.getStart(sf));
    const donors = descendants(sf, (n): n is ts.Statement => ts.isStatement(n) && !ts.isBlock(n))
      .filter((s) => s !== target && !s.getText(sf).includes(target.getText(sf)) && !neighbours.has(s.getText(sf)) && donorKind(s, sf) && closed(s, site, scope))
      .sort((a, b) => distance(a) - distance(b));
    const texts = [...new Set(donors.map((d) => d.getText(sf)))].slice(0, DONORS);
    const indent = indentOf(sf, target);
    return texts.flatMap((text) => [
      fix(
        'statement-insert',
        site,
        [{ start: target.getStart(sf), end: target.getStart(sf), text: `${text}\n${indent}` }],
        `statement inserted before: \`${text}\`, as the file does elsewhere`,
        PREFER.insert,
      ),
      fix(
        'statement-insert',
        site,
        [{ start: target.getEnd(), end: target.getEnd(), text: `\n${indent}${text}` }],
        `statement inserted after: \`${text}\`, as the file does elsewhere`,
        PREFER.insert,
      ),
    ]);
  },
};
