import ts from 'typescript';
import { descendants, enclosingFunction } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { fix, PREFER } from './common.ts';

/**
 * Array methods that change the array in place and answer something else: its new
 * length (`push`, `unshift`) or nothing (`forEach`). Those that answer the array
 * (`sort`, `reverse`, `fill`) are safe to assign back.
 */
const NOT_THE_ARRAY = new Set(['push', 'unshift', 'forEach']);

/** What JavaScript raises when that number or `undefined` is used as the array later. */
const ON_THE_RESULT = /is not a function|Cannot read propert(y|ies) of undefined|is not iterable|Cannot set propert(y|ies) of undefined/;

/** `xs = xs.push(x)`: an assignment of such a call's answer to the very array it changed. */
function assignedBack(sf: ts.SourceFile, node: ts.Node): node is ts.BinaryExpression {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isExpressionStatement(node.parent)) return false;
  const call = node.right;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !NOT_THE_ARRAY.has(call.expression.name.text)) return false;
  return call.expression.expression.getText(sf) === node.left.getText(sf);
}

/**
 * The in-place method whose answer replaced its array: `xs = xs.push(x)` leaves a
 * number in `xs`, `xs = xs.forEach(f)` leaves `undefined`, and the next use raises
 * ("xs.push is not a function", "Cannot read properties of undefined"). The
 * assignment goes and the call stays. One candidate mends every such assignment of
 * the function, another the failing statement's alone. Only for those errors; the
 * Python side's `mutator-result` also splits a call used as an argument.
 */
export const mutatorResult: Template = {
  name: 'mutator-result',
  propose(site: Site): TemplateFix[] {
    if (site.error?.type !== 'TypeError' || !ON_THE_RESULT.test(site.error.message)) return [];
    const { sf } = site;
    const back = (node: ts.Node): node is ts.BinaryExpression => assignedBack(sf, node);
    const everywhere = descendants(enclosingFunction(site.statement) ?? sf, back);
    const ours = descendants(site.statement, back);
    const mend = (nodes: readonly ts.BinaryExpression[]): TemplateFix =>
      fix(
        'mutator-result',
        site,
        nodes.map((n) => ({ start: n.getStart(sf), end: n.getEnd(), text: n.right.getText(sf) })),
        `in-place method's answer assigned back to its array: ${nodes.map((n) => `\`${n.getText(sf)}\``).join(', ')} became the call alone`,
        PREFER.token,
      );
    return [...(ours.length > 0 ? [mend(ours)] : []), ...(everywhere.length > ours.length ? [mend(everywhere)] : [])];
  },
};
