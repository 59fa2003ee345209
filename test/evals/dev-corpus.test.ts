import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../evals/harness/results.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const PYTHON = 'hef-py-48-is-palindrome';
const JAVASCRIPT = 'hef-js-109-move-one-ball';
/** A Refactory program with three defects: two raise (an unset counter, `true` for `True`), one only answers wrong. */
const TWO_GROUPS = 'rfty-q2-wrong-2-155';

interface Traced {
  events: { kind: string; data: unknown }[];
  followUps: { run: { state: string } | null; proposal: { rationale: string } | null }[];
}

/**
 * Tasks of the development corpus (defects written outside the project, converted from
 * HumanEvalFix and Refactory) through the whole pipeline with the offline fixer and no
 * model: capture, ingest, the Plugin Agent's runs, and the task's hidden tests on the patch.
 */
describe('the development corpus, end to end with no model', () => {
  it('resolves a Python index past the end and a JavaScript read of a loop variable after its loop, and gives each error group its run', () => {
    const out = join(tempDir(), 'out');
    const run = steward(['eval', 'run', join(STEWARD_ROOT, 'evals', 'suites', 'dev'), '--only', `${PYTHON},${JAVASCRIPT},${TWO_GROUPS}`, '--out', out, '--concurrency', '2'], {
      timeoutMs: 600_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const outcome = Object.fromEntries(results.attempts.map((a) => [a.task, { success: a.success, reason: a.reason, patch: a.scores.patch, runs: a.runs?.length }]));
    expect(outcome).toEqual({
      [PYTHON]: { success: true, reason: null, patch: true, runs: 1 },
      [JAVASCRIPT]: { success: true, reason: null, patch: true, runs: 1 },
      [TWO_GROUPS]: { success: false, reason: 'failed-hidden-tests', patch: true, runs: 2 },
    });
    const patch = (task: string): string => readFileSync(join(out, 'trajectories', task, '1.patch'), 'utf8');
    const trajectory = (task: string): Traced => JSON.parse(readFileSync(join(out, 'trajectories', task, '1.json'), 'utf8')) as Traced;
    expect(patch(PYTHON)).toContain('+        if text[i] != text[len(text) - i - 1]:');
    // `j` is read outside the loop that binds it. Each round's candidates that passed were rejected
    // (paths switched off) and the search went on; the last round's one answer is `arr[t]`.
    const js = trajectory(JAVASCRIPT);
    const stops = js.events.filter((e) => e.kind === 'fixer-stopped').map((e) => e.data as { more?: boolean });
    expect(stops.map((s) => s.more)).toEqual([true, true, false]);
    expect(js.events.filter((e) => e.kind === 'search-round')).toHaveLength(2);
    expect(patch(JAVASCRIPT)).toMatch(/^\+\s+arr\.push\(arr\[t\]\);$/m);
    // Two groups, two runs: the second on the library with the first fix merged, and one patch with both fixes.
    const both = patch(TWO_GROUPS);
    // The program's file has CRLF line endings, and keeps them.
    expect(both).toMatch(/^-\s+return true\r\n\+\s+return True\r$/m);
    expect(both).toMatch(/^\+\s+counter = 0\r$/m);
    const followUp = trajectory(TWO_GROUPS).followUps[0];
    expect(followUp?.run?.state).toBe('completed');
    expect(followUp?.proposal?.rationale ?? '').toMatch(/undefined name spelt as a defined one|counter/);
  }, 600_000);
});
