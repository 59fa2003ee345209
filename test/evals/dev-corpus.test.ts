import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../evals/harness/results.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const PYTHON = 'hef-py-48-is-palindrome';
const JAVASCRIPT = 'hef-js-109-move-one-ball';

/**
 * Two tasks of the development corpus (defects written outside the project, converted
 * from HumanEvalFix) through the whole pipeline with the offline fixer and no model:
 * capture, ingest, the Plugin Agent's run, and the task's hidden tests on the patch.
 */
describe('the development corpus, one task per language, end to end with no model', () => {
  it('resolves a Python index past the end and a JavaScript name read outside its loop', () => {
    const out = join(tempDir(), 'out');
    const run = steward(['eval', 'run', join(STEWARD_ROOT, 'evals', 'suites', 'dev'), '--only', `${PYTHON},${JAVASCRIPT}`, '--out', out, '--concurrency', '2'], {
      timeoutMs: 600_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const outcome = Object.fromEntries(results.attempts.map((a) => [a.task, { success: a.success, reason: a.reason, patch: a.scores.patch }]));
    expect(outcome).toEqual({
      [PYTHON]: { success: true, reason: null, patch: true },
      [JAVASCRIPT]: { success: true, reason: null, patch: true },
    });
    const patch = (task: string): string => readFileSync(join(out, 'trajectories', task, '1.patch'), 'utf8');
    expect(patch(PYTHON)).toContain('+        if text[i] != text[len(text) - i - 1]:');
    // `j` is bound only inside the inner loop: the fix reads a name in scope there instead.
    expect(patch(JAVASCRIPT)).toMatch(/^- {4}arr\.push\(arr\[j\]\);\n\+ {4}arr\.push\(arr\[[a-z]+\]\);$/m);
    // Its first round's three candidates that passed were rejected (paths switched off); the search went on.
    const trajectory = JSON.parse(readFileSync(join(out, 'trajectories', JAVASCRIPT, '1.json'), 'utf8')) as { events: { kind: string; data: unknown }[] };
    const stops = trajectory.events.filter((e) => e.kind === 'fixer-stopped').map((e) => e.data as { more?: boolean });
    expect(stops[0]?.more).toBe(true);
    expect(trajectory.events.some((e) => e.kind === 'search-round')).toBe(true);
  }, 600_000);
});
