import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../evals/harness/results.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

describe('the smoke suite (evals/suites/smoke) with the offline fixer', () => {
  // A whole eval of three tasks: the test waits for the run to end; the ceiling is only for a hang, generous for a busy machine.
  it('resolves the JavaScript and the Python defect and gets the no-fix task right, with reports', () => {
    const out = join(tempDir(), 'out');
    const run = steward(['eval', 'run', join(STEWARD_ROOT, 'evals', 'suites', 'smoke'), '--out', out, '--concurrency', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    const outcome = Object.fromEntries(results.attempts.map((a) => [a.task, { success: a.success, reason: a.reason, patch: a.scores.patch, issue: a.scores.issue }]));
    expect(outcome).toEqual({
      'config-load-profile-unset': { success: true, reason: null, patch: false, issue: true },
      'csv-short-row': { success: true, reason: null, patch: true, issue: true },
      'unit-convert-zero-result': { success: true, reason: null, patch: true, issue: true },
    });
    expect(run.stdout).toMatch(/overall 3\/3 100%/);
    for (const file of ['report.md', 'report.html']) expect(readFileSync(join(out, file), 'utf8')).toContain('smoke');
  }, 600_000);
});
