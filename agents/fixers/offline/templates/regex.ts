import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/** A regular expression's pattern and flags, from its literal. */
function split(literal: string): { pattern: string; flags: string } {
  const end = literal.lastIndexOf('/');
  return { pattern: literal.slice(1, end), flags: literal.slice(end + 1) };
}

/**
 * The pattern's variants: a missing anchor added, an optional sign before leading
 * digits, the whole anchored pattern repeated, or one quantifier made stricter or looser.
 */
function variants(pattern: string): { pattern: string; what: string }[] {
  const out: { pattern: string; what: string }[] = [];
  if (!pattern.startsWith('^')) out.push({ pattern: `^${pattern}`, what: 'anchored at the start' });
  if (!pattern.endsWith('$') || pattern.endsWith('\\$')) out.push({ pattern: `${pattern}$`, what: 'anchored at the end' });
  if (!pattern.startsWith('^') && !pattern.endsWith('$')) out.push({ pattern: `^${pattern}$`, what: 'anchored at both ends' });
  // Numbers that may be negative ("-129900"): a sign allowed before the first digit.
  if (/^\^(?:\\d|\[0-9\])/.test(pattern)) out.push({ pattern: `^-?${pattern.slice(1)}`, what: 'an optional minus sign allowed before the digits' });
  // A unit or a token that may come more than once ("1h30m"): the whole anchored pattern repeated.
  if (/^\^.+[^\\]\$$/.test(pattern)) out.push({ pattern: `^(?:${pattern.slice(1, -1)})+$`, what: 'the whole pattern allowed to repeat' });
  // A quantifier not escaped and not inside a class: swapped one at a time.
  const quantifier = /(?<!\\)[*+?](?![^[]*\])/g;
  for (const m of pattern.matchAll(quantifier)) {
    const at = m.index;
    const swaps: Record<string, string[]> = { '*': ['+'], '+': ['*', ''], '?': [''] };
    for (const swap of swaps[m[0]] ?? [])
      out.push({ pattern: pattern.slice(0, at) + swap + pattern.slice(at + 1), what: `quantifier \`${m[0]}\` at ${at} became \`${swap || 'exactly one'}\`` });
  }
  return out;
}

/** A wrong anchor or quantifier in a regular-expression literal. */
export const regex: Template = {
  name: 'regex',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, (n): n is ts.RegularExpressionLiteral => n.kind === ts.SyntaxKind.RegularExpressionLiteral).flatMap((literal) => {
      const { pattern, flags } = split(literal.getText(site.sf));
      return variants(pattern).map((v) => ({
        template: 'regex',
        edits: [{ start: literal.getStart(site.sf), end: literal.getEnd(), text: `/${v.pattern}/${flags}` }],
        rationale: `regular expression changed at ${site.file}:${site.line}: ${v.what}`,
      }));
    });
  },
};
