import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonHelper } from '../../../agents/fixers/offline/generate-python.ts';
import { applyEdits } from '../../../agents/fixers/offline/source.ts';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import { firstChangedLine, sourceFiles, type Mutant } from './inject.ts';

/** The Python families that make small defects, under the categories the JavaScript injector reports by (`MUTATIONS`). */
const CATEGORY: Record<string, string> = {
  'off-by-one': 'boundary',
  relational: 'boundary',
  'argument-swap': 'argument order',
  arithmetic: 'wrong operator',
  logical: 'wrong operator',
};

const isPythonSource = (name: string): boolean => name.endsWith('.py') && !/^test_|_test\.py$|^conftest\.py$/.test(name);

/**
 * Every small defect of a known category the Python helper's one-token families make
 * at a statement of the plugin's Python sources (each statement visited as a frame of
 * its own, nothing else around it): the same families the fixer repairs with, so a
 * Python plugin's generated suite measures the same things a JavaScript one does.
 * Each mutant compiles (the helper keeps only those); equal texts are kept once.
 */
export async function pythonMutants(pluginDir: string, plugin: string): Promise<Mutant[]> {
  const out: Mutant[] = [];
  const seen = new Set<string>();
  for (const file of sourceFiles(pluginDir, isPythonSource)) {
    const original = readFileSync(join(pluginDir, file), 'utf8');
    const lines = original.split('\n').flatMap((text, i) => (text.trim() && !text.trim().startsWith('#') ? [{ file, line: i + 1 }] : []));
    if (lines.length === 0) continue;
    const helped = await runPythonHelper({ [file]: original }, lines, null);
    if ('problem' in helped)
      throw new StewardError('E_USAGE', `no defects could be generated in ${file}: ${helped.problem}`, { hint: 'write its defects by hand: --defects <file>' });
    // Only what a family changed at a statement visited for itself, not at the statements around another.
    const own = new Set((helped.targets ?? []).filter((t) => t.why === 'frame').map((t) => t.rank));
    for (const fix of helped.fixes) {
      const category = CATEGORY[fix.template];
      if (!category || !own.has(fix.rank)) continue;
      const changed = applyEdits(original, fix.edits);
      if (changed === original || seen.has(changed)) continue;
      seen.add(changed);
      const line = firstChangedLine(original, changed);
      out.push({
        id: `${plugin}-${category.replace(/\s+/g, '-')}-${out.filter((m) => m.category === category).length + 1}`,
        title: `${fix.rationale.replace(/ at [^ ]+:\d+$/, '')} at ${file}:${line}`,
        category,
        files: { [file]: changed },
        site: { file, line },
      });
    }
  }
  return out;
}
