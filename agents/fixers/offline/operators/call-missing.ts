import ts from 'typescript';
import { descendants } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { bindingsAt, fix, isUse, PREFER } from './common.ts';

/** V8's words for a value used as a list or an object that is a function: "days is not iterable", "days.map is not a function". */
const FUNCTION_USED = /^([\w$]+)(?: is not iterable|\.[\w$]+ is not a function)/;

/** The argument text from variables in scope named as the function's parameters, or undefined when a required one has none. */
function argumentsOf(fn: ts.FunctionDeclaration, scope: ReadonlySet<string>): string | undefined {
  const names: string[] = [];
  for (const parameter of fn.parameters) {
    if (!ts.isIdentifier(parameter.name) || parameter.dotDotDotToken) return undefined;
    if (scope.has(parameter.name.text)) names.push(parameter.name.text);
    else if (parameter.initializer || parameter.questionToken) break;
    else return undefined;
  }
  return names.join(', ');
}

/**
 * The function named where its result was meant: `for (const d of days)` for
 * `days(month, data)`, `days.map(f)` for `days(month, data).map(f)`. V8 names the
 * value ("days is not iterable", "days.map is not a function"); when it is a function
 * the file declares, each use of the name in the statement as a `for…of` iterable or
 * a member's receiver becomes a call, with the variables in scope named as its parameters (a required parameter with
 * no namesake: no candidate). The Python side's `call-missing` answers the same slip.
 */
export const callMissing: Template = {
  name: 'call-missing',
  propose(site: Site): TemplateFix[] {
    const name = site.error?.type === 'TypeError' ? FUNCTION_USED.exec(site.error.message)?.[1] : undefined;
    if (!name) return [];
    const { sf } = site;
    const declared = descendants(sf, (n): n is ts.FunctionDeclaration => ts.isFunctionDeclaration(n) && n.name?.text === name);
    if (declared.length !== 1) return [];
    // Only where V8 read it as a list or an object: the loop's iterable, a member's receiver (`arr.map(days)` passes it on).
    const uses = descendants(site.statement, (n): n is ts.Identifier => ts.isIdentifier(n) && n.text === name && isUse(n)).filter(
      (id) => (ts.isForOfStatement(id.parent) && id.parent.expression === id) || (ts.isPropertyAccessExpression(id.parent) && id.parent.expression === id),
    );
    if (uses.length === 0) return [];
    const scope = new Set(bindingsAt(sf, site.statement).map((b) => b.name));
    const args = argumentsOf(declared[0]!, scope);
    if (args === undefined) return [];
    return [
      fix(
        'call-missing',
        site,
        uses.map((id) => ({ start: id.getStart(sf), end: id.getEnd(), text: `${name}(${args})` })),
        `function named where its result was meant: \`${name}\` became \`${name}(${args})\``,
        PREFER.token,
      ),
    ];
  },
};
