import ts from 'typescript';
import { declaredFunction, descendants, enclosingFunction, lineOf, text } from '../source.ts';
import { contractError } from './contract-error.ts';
import type { Site, Template, TemplateFix } from './types.ts';

const STRING = new Set([
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'split',
  'replace',
  'replaceAll',
  'startsWith',
  'endsWith',
  'padStart',
  'padEnd',
  'normalize',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'localeCompare',
  'match',
  'matchAll',
]);
const ARRAY = new Set([
  'map',
  'filter',
  'forEach',
  'reduce',
  'join',
  'some',
  'every',
  'find',
  'findIndex',
  'flatMap',
  'flat',
  'indexOf',
  'concat',
  'sort',
  'entries',
  'keys',
  'values',
  'at',
]);
const NUMBER = new Set(['toFixed', 'toPrecision', 'toExponential']);

/** The value that stands in for a missing one, by what the code does with it; none when unclear. */
function fallbackFor(member: string): string | undefined {
  if (STRING.has(member)) return "''";
  if (ARRAY.has(member)) return '[]';
  if (NUMBER.has(member)) return '0';
  return undefined;
}

/**
 * Whether a null read at the site could be behind the error: a guard changes only a run
 * that read a member of null or undefined, which throws a TypeError. A call that hung
 * threw nothing, unless a `catch` in the file caught the TypeError (a retry loop):
 * without one, every guard there would be tried, and run to the time limit, for nothing.
 */
function nullReadPossible(site: Site): boolean {
  return (
    site.error?.type !== 'Timeout' || descendants(site.sf, (n): n is ts.Node => ts.isCatchClause(n) || (ts.isPropertyAccessExpression(n) && n.name.text === 'catch')).length > 0
  );
}

const wrap = (code: string): string => (/^[\w$.[\]'"`]+$/.test(code) ? code : `(${code})`);

/**
 * A guard for a null or undefined value that a member is read from: a default where
 * the member says what kind of value was meant (at the use, or where the variable is
 * set), optional chaining (skip), or a contract error for what the function was
 * given. Only members the error names, when it names one.
 */
export const nullGuard: Template = {
  name: 'null-guard',
  propose(site: Site): TemplateFix[] {
    if (site.error && !nullReadPossible(site)) return [];
    const reading = site.error ? /reading '([^']+)'/.exec(site.error.message)?.[1] : undefined;
    const missing = site.error && /of null/.test(site.error.message) ? 'null' : 'undefined';
    const out: TemplateFix[] = [];
    for (const access of descendants(site.statement, ts.isPropertyAccessExpression)) {
      const member = access.name.text;
      if (reading !== undefined && member !== reading) continue;
      if (access.expression.kind === ts.SyntaxKind.ThisKeyword || access.expression.kind === ts.SyntaxKind.SuperKeyword || access.questionDotToken) continue;
      // Neither an assignment's target nor a `new` callee can be guarded this way.
      const parent = access.parent;
      if (
        (ts.isBinaryExpression(parent) &&
          parent.left === access &&
          parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
          parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment) ||
        (ts.isNewExpression(parent) && parent.expression === access)
      )
        continue;
      const target = access.expression;
      const shown = text(site.sf, target);
      // Said only when the error says so: a value missing here may also fail later, as NaN or a wrong type.
      const why =
        reading !== undefined
          ? `the reproduction reads \`.${member}\` of ${missing}`
          : `\`${shown}\` may be missing when \`.${member}\` is read${site.error ? ` (the reproduction: ${site.error.type})` : ''}`;
      // A member that is read, not called, of what must be an object: an empty one stands in.
      const called = ts.isCallExpression(parent) && parent.expression === access;
      const fallback = fallbackFor(member) ?? (called ? undefined : '{}');
      if (fallback) {
        out.push({
          template: 'null-guard',
          preference: 1,
          edits: [{ start: target.getStart(site.sf), end: target.getEnd(), text: `(${shown} ?? ${fallback})` }],
          rationale: `guard added at ${site.file}:${site.line}: ${why}; \`${shown}\` now defaults to ${fallback}`,
        });
        // Where the variable is set, the default serves every use of it.
        const declared = ts.isIdentifier(target) ? declarationOf(target) : undefined;
        if (declared?.initializer) {
          const init = declared.initializer;
          out.push({
            template: 'null-guard',
            preference: 0,
            edits: [{ start: init.getStart(site.sf), end: init.getEnd(), text: `${wrap(text(site.sf, init))} ?? ${fallback}` }],
            rationale: `guard added at ${site.file}:${lineOf(site.sf, init.getStart(site.sf))}: ${why} at line ${site.line}; \`${shown}\` now defaults to ${fallback} where it is set`,
          });
        }
      }
      // Passed on to one of the file's functions: the default that function's use of it asks for.
      const passed = ts.isCallExpression(parent) && parent.arguments.includes(access) ? argumentFallback(site.sf, parent, parent.arguments.indexOf(access)) : undefined;
      if (passed) {
        out.push({
          template: 'null-guard',
          preference: 1,
          edits: [{ start: access.getStart(site.sf), end: access.getEnd(), text: `${shown}?.${member} ?? ${passed.fallback}` }],
          rationale: `guard added at ${site.file}:${site.line}: ${why}; \`${shown}.${member}\` now defaults to ${passed.fallback}, as \`${passed.callee}\` uses it`,
        });
      }
      const refusal = reading !== undefined ? contractError(site, access, why) : undefined;
      if (refusal) out.push(refusal);
      const dot = access.name.getStart(site.sf) - 1;
      out.push({
        template: 'null-guard',
        preference: 2,
        edits: [{ start: dot, end: dot, text: '?' }],
        rationale: `guard added at ${site.file}:${site.line}: ${why}; optional chaining skips it when \`${shown}\` is missing`,
      });
    }
    return out;
  },
};

/** The `const x = …` (or let) of an identifier, in the same function. */
function declarationOf(id: ts.Identifier): ts.VariableDeclaration | undefined {
  const scope = enclosingFunction(id);
  if (!scope?.body) return undefined;
  return descendants(scope.body, ts.isVariableDeclaration).find((d) => ts.isIdentifier(d.name) && d.name.text === id.text && d.getEnd() < id.getStart());
}

/**
 * The default a function of the same file needs for its `index`-th parameter, from
 * what it does with it (`names.map(…)` asks for []), if the call names such a function.
 */
function argumentFallback(sf: ts.SourceFile, call: ts.CallExpression, index: number): { callee: string; fallback: string } | undefined {
  if (!ts.isIdentifier(call.expression)) return undefined;
  const name = call.expression.text;
  const fn = declaredFunction(sf, name);
  const param = fn?.parameters[index]?.name;
  if (!fn?.body || !param || !ts.isIdentifier(param)) return undefined;
  for (const use of descendants(fn.body, ts.isPropertyAccessExpression)) {
    if (!ts.isIdentifier(use.expression) || use.expression.text !== param.text) continue;
    const fallback = fallbackFor(use.name.text);
    if (fallback) return { callee: name, fallback };
  }
  return undefined;
}
