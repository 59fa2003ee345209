import ts from 'typescript';
import { wholeLines } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER } from './common.ts';

/**
 * A statement that should not be there: an expression statement (a stray update, a
 * second call) or an `if` without `else`, deleted. Never a declaration, a `return` or a
 * `throw`: deleting what fails is the surest way to silence it, so this ranks last and
 * the silencing checks see every candidate.
 */
export const statementDelete: Template = {
  name: 'statement-delete',
  propose(site: Site): TemplateFix[] {
    const s = site.statement;
    const sf = site.sf;
    const list = s.parent;
    if (!list || !(ts.isBlock(list) || ts.isSourceFile(list) || ts.isCaseClause(list))) return [];
    if (!(ts.isExpressionStatement(s) || (ts.isIfStatement(s) && !s.elseStatement))) return [];
    if (ts.isIfStatement(s) && (ts.isThrowStatement(s.thenStatement) || (ts.isBlock(s.thenStatement) && s.thenStatement.statements.some(ts.isThrowStatement)))) return [];
    // The whole line goes when the statement is alone on it, so no blank line is left behind.
    const edit = { ...(wholeLines(sf, s) ?? { start: s.getStart(sf), end: s.getEnd() }), text: '' };
    return [fix('statement-delete', site, [edit], `statement deleted: \`${s.getText(sf).slice(0, 80)}\``, PREFER.silencing)];
  },
};
