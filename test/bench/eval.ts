import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../evals/harness/results.ts';
import { STEWARD_ROOT } from '../../orchestrator/cli/commands/init.ts';

/**
 * The core suite with the offline fixer at --concurrency 2, through the real CLI:
 * wall time (target under 10 minutes on a 2-core machine), success per tier, and the
 * offline fixer's figures (issue 7's targets: tier 1 ≥ 80%, tier 2 ≥ 50%, no patch on
 * tier 4, median time to a validated fix under 30 s).
 */
export async function run(): Promise<void> {
  const suite = process.env.EVAL_SUITE ?? join(STEWARD_ROOT, 'evals', 'suites', 'core');
  const out = mkdtempSync(join(tmpdir(), 'steward-bench-eval-'));
  try {
    const started = Date.now();
    const cli = spawnSync(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), 'eval', 'run', suite, '--out', out, '--concurrency', '2', '--fixer', 'offline'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const wall = (Date.now() - started) / 1000;
    if (cli.status !== 0) throw new Error(`steward eval run exited ${cli.status}`);
    const results = readResults(out);
    const { summary } = results;
    const tier4 = results.attempts.filter((a) => a.tier === 4);
    process.stdout.write(`\neval bench: ${results.attempts.length} tasks, wall ${wall.toFixed(0)} s (target < 600 s)\n`);
    for (const [tier, rate] of Object.entries(summary.byTier)) process.stdout.write(`  tier ${tier}: ${rate.successes}/${rate.attempts} (${Math.round(rate.rate * 100)}%)\n`);
    process.stdout.write(`  tier 4 with a patch: ${tier4.filter((a) => a.scores.patch).length} of ${tier4.length} (target 0)\n`);
    process.stdout.write(
      `  median wall per task ${(summary.costs.medianWallMs / 1000).toFixed(1)} s; to a resolved fix ${summary.costs.medianWallMsToFix === null ? '-' : `${(summary.costs.medianWallMsToFix / 1000).toFixed(1)} s`} (target < 30 s)\n`,
    );
    process.stdout.write(
      `  candidates tried: ${summary.costs.candidatesTried} (${summary.costs.candidatesPerMinute} a minute of attempt time); per task: ${results.attempts.map((a) => `${a.task} ${a.costs.candidatesTried}`).join(', ')}\n`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
