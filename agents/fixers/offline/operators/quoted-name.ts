import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { PREFER, bindingsAt, fix, isUse, replace } from './common.ts';

/**
 * A name written as a string by mistake: `table['key']` where `table[key]` was meant.
 * A string literal of the statement (an index, an argument, an operand) that spells a
 * parameter or local of the function becomes that name when nothing in the function
 * uses the name: the literal is where its one use went. A literal that merely matches
 * a used variable's name is left alone (keys often do, rightly).
 */
export const quotedName: Template = {
  name: 'quoted-name',
  propose(site: Site): TemplateFix[] {
    const fn = enclosingFunction(site.statement);
    if (!fn) return [];
    const used = new Set(
      descendants(fn, ts.isIdentifier)
        .filter(isUse)
        .map((id) => id.text),
    );
    return descendants(site.statement, ts.isStringLiteralLike)
      .filter((literal) => /^[A-Za-z_$][\w$]*$/.test(literal.text) && !used.has(literal.text) && quotable(literal))
      .filter((literal) => bindingsAt(site.sf, literal).some((b) => b.name === literal.text && b.local))
      .map((literal) =>
        fix('quoted-name', site, [replace(site.sf, literal, literal.text)], `name quoted by mistake: \`${literal.getText(site.sf)}\` became \`${literal.text}\``, PREFER.replace),
      );
  },
};

/** A place where a value is read: an index, a call's argument, an operand; not a key, an import or a type. */
function quotable(literal: ts.StringLiteralLike): boolean {
  const parent = literal.parent;
  if (ts.isElementAccessExpression(parent)) return parent.argumentExpression === literal;
  if (ts.isCallExpression(parent)) return parent.arguments.includes(literal) && !(ts.isIdentifier(parent.expression) && parent.expression.text === 'require');
  return ts.isBinaryExpression(parent) || ts.isReturnStatement(parent) || ts.isVariableDeclaration(parent);
}
