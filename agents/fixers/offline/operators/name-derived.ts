import ts from 'typescript';
import { descendants, enclosingFunction, lineOf } from '../source.ts';
import type { Site, Template, TemplateFix } from '../templates/types.ts';
import { indexedNames, isIndexed, isUse } from './common.ts';

/**
 * The wrong variable: a use of `x` where a variable derived from `x` earlier in the
 * function was meant (`const upper = code.toUpperCase()`, then `table[code]`).
 */
export const derivedName: Template = {
  name: 'name-replace',
  propose(site: Site): TemplateFix[] {
    const scope = enclosingFunction(site.statement);
    if (!scope?.body) return [];
    // Declared before the statement, in a block the statement is in: in scope there.
    const inScope = (d: ts.VariableDeclaration): boolean => {
      let block: ts.Node = d;
      while (block.parent && !ts.isBlock(block) && !ts.isSourceFile(block)) block = block.parent;
      return site.statement.getStart(site.sf) >= block.getStart(site.sf) && site.statement.getEnd() <= block.getEnd();
    };
    const derived = descendants(scope.body, ts.isVariableDeclaration).filter(
      (d) => ts.isIdentifier(d.name) && d.initializer && d.getEnd() < site.statement.getStart(site.sf) && inScope(d),
    );
    const out: TemplateFix[] = [];
    const indexed = indexedNames(site.sf);
    for (const id of descendants(site.statement, ts.isIdentifier).filter(isUse)) {
      for (const d of derived) {
        const name = (d.name as ts.Identifier).text;
        if (name === id.text || !descendants(d.initializer!, ts.isIdentifier).some((used) => used.text === id.text)) continue;
        // `const len = arr.length` derives from `arr`, but `len[j]` is no reading of `arr[j]`.
        if (isIndexed(id) && !indexed.has(name)) continue;
        // `f(rows, rows)`: the same variable twice in one call is almost never what was meant.
        const call = id.parent;
        if ((ts.isCallExpression(call) || ts.isNewExpression(call)) && call.arguments?.some((a) => a !== id && ts.isIdentifier(a) && a.text === name)) continue;
        out.push({
          template: 'name-replace',
          edits: [{ start: id.getStart(site.sf), end: id.getEnd(), text: name }],
          rationale: `variable changed at ${site.file}:${site.line}: \`${id.text}\` became \`${name}\`, which line ${lineOf(site.sf, d.getStart(site.sf))} derives from it`,
        });
      }
    }
    return out;
  },
};
