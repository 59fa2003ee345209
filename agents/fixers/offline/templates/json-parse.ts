import ts from 'typescript';
import { descendants, text } from '../source.ts';
import type { Site, Template, TemplateFix } from './types.ts';

/**
 * An unchecked `JSON.parse` of outside text: malformed input either yields a fallback
 * (skipped, as undefined) or becomes the contract's error, a TypeError that says so.
 */
export const jsonParse: Template = {
  name: 'json-parse',
  propose(site: Site): TemplateFix[] {
    return descendants(site.statement, ts.isCallExpression)
      .filter((call) => call.expression.getText(site.sf) === 'JSON.parse' && call.arguments.length >= 1 && !ts.isTryStatement(site.statement))
      .flatMap((call) => {
        const shown = text(site.sf, call);
        const at = { start: call.getStart(site.sf), end: call.getEnd() };
        return [
          { fallback: 'return undefined;', what: 'malformed JSON now yields undefined' },
          { fallback: 'throw new TypeError(`invalid JSON: ${(error as Error).message}`);', what: 'malformed JSON is now a TypeError that says so' },
        ].map((variant) => ({
          template: 'json-parse',
          edits: [
            { ...at, text: `(() => { try { return ${shown}; } catch (error) { ${site.file.endsWith('.ts') ? variant.fallback : variant.fallback.replace(' as Error', '')} } })()` },
          ],
          rationale: `JSON.parse checked at ${site.file}:${site.line}: ${variant.what}`,
        }));
      });
  },
};
