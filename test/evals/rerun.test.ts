import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Attempt, EvalConfig, Results } from '../../evals/harness/results.ts';
import { runEval } from '../../evals/harness/runner.ts';
import { loadSuite } from '../../evals/harness/task.ts';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const OUTSIDE = join(STEWARD_ROOT, 'test', 'fixtures', 'eval-suites', 'outside');

function recorded(task: string, expectFix: boolean): Attempt {
  return {
    task,
    repeat: 1,
    tier: expectFix ? 1 : 4,
    category: 'null check',
    expectFix,
    success: true,
    scores: { issue: true, reproduced: true, patch: expectFix, resolved: expectFix ? true : null, correct: expectFix ? null : true },
    reason: null,
    detail: null,
    costs: { wallMs: 40_000, tokens: 0, modelCalls: 0, sandboxRuns: 9, candidatesTried: 7 },
    patch: expectFix ? 'diff --git a/src/index.js b/src/index.js\n' : null,
    run: 'run_x',
    runState: 'completed',
    startedAt: '2026-12-01T09:00:00.000Z',
  };
}

describe('eval run on an out directory whose attempts are all done', () => {
  it('rewrites its reports with the times of the runs that did the attempts, not a zero wall time', async () => {
    const suite = loadSuite(OUTSIDE);
    const config: EvalConfig = {
      suite: { name: suite.info.name, description: suite.info.description, dir: suite.dir },
      fixer: 'offline',
      model: null,
      playbook: { name: 'default', version: '1.0.0', hash: 'h' },
      repeat: 1,
      tasks: suite.tasks.map((t) => t.spec.id),
    };
    const out = join(tempDir(), 'out');
    const run = (concurrency: number, signal?: AbortSignal): Promise<Results> =>
      runEval({ suite, config, out, concurrency, timeoutMs: 60_000, stewardRoot: STEWARD_ROOT, log: createLogger({ component: 'eval-test' }), ...(signal ? { signal } : {}) });
    // A run stopped before it began leaves eval.json with the eval's fingerprint, and nothing else.
    await run(2, AbortSignal.abort());
    const { fingerprint } = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as { fingerprint: string };

    // What an eval finished by an earlier steward leaves: every attempt, and results.json with its times.
    const attempts = [recorded('slug-missing-options', true), recorded('slug-number-title', false)];
    writeFileSync(join(out, 'eval.json'), JSON.stringify({ fingerprint }));
    writeFileSync(join(out, 'attempts.jsonl'), attempts.map((a) => `${JSON.stringify(a)}\n`).join(''));
    const baseline = { visiblePassed: ['a'], hiddenTests: ['h'], hiddenFailedOnOriginal: 1, warnings: [] };
    writeFileSync(join(out, 'baselines.json'), JSON.stringify({ 'slug-missing-options': baseline, 'slug-number-title': baseline }));
    const finished = { startedAt: '2026-12-01T09:00:00.000Z', finishedAt: '2026-12-01T09:01:22.254Z', wallMs: 82_254, concurrency: 2 };
    writeFileSync(join(out, 'results.json'), JSON.stringify({ format: 'steward-eval-results/1', config, ...finished, tasks: [], attempts, summary: {} }));

    const rerun = await run(1);
    expect({ startedAt: rerun.startedAt, finishedAt: rerun.finishedAt, wallMs: rerun.wallMs, concurrency: rerun.concurrency }).toEqual(finished);
    expect(rerun.summary.overall).toMatchObject({ successes: 2, attempts: 2 });
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(written.wallMs).toBe(82_254);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('concurrency 2; wall 82.3 s');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('wall 82.3 s.');
    // Kept in eval.json from now on, so the next run finds it there.
    expect(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'))).toEqual({ fingerprint, progress: finished });
    expect((await run(3)).wallMs).toBe(82_254);
  });
});
