import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInputs } from '../../agents/plugin-agent/behaviour/index.ts';
import { readResults, type Results } from '../../evals/harness/results.ts';
import { loadSuite, type EvalTask } from '../../evals/harness/task.ts';
import { STEWARD_ROOT } from '../../orchestrator/cli/commands/init.ts';
import { invokeMany } from '../../orchestrator/host/invoke-once.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { fmt, median } from './stats.ts';

/** Tasks of the core suite the offline fixer resolves, in both languages: the cost is measured on fixes that are found. */
const TASKS = (process.env.BENCH_TASKS ?? 'csv-short-row,unit-convert-zero-result,csv-quote-mid-field,paginate-null-cursor,money-lowercase-currency,unit-convert-int-value').split(
  ',',
);
const RECORDED = Number(process.env.BENCH_RECORDED ?? 200);
const STEWARD = join(STEWARD_ROOT, 'orchestrator', 'cli', 'steward.js');

/**
 * What the behaviour checks cost a validated fix (the trust issue's target: at most
 * +50% on the median time to a validated fix): the same tasks through `eval run`,
 * once with no recorded traffic and no generated inputs, once with 200 recorded
 * production calls per task (made by running the plugin as it stands on inputs
 * generated from its schema) and the default 200 generated inputs.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-behaviour-'));
  try {
    const core = join(STEWARD_ROOT, 'evals', 'suites', 'core');
    const tasks = loadSuite(core, TASKS).tasks;
    const plain = join(dir, 'plain');
    const recorded = join(dir, 'recorded');
    for (const suite of [plain, recorded]) {
      cpSync(join(core, 'suite.json'), join(suite, 'suite.json'));
      for (const task of tasks) cpSync(task.dir, join(suite, task.spec.id), { recursive: true });
    }
    for (const task of tasks) {
      const traffic = await recordTraffic(task, RECORDED);
      const file = join(recorded, task.spec.id, 'task.json');
      writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), traffic }));
      process.stdout.write(`${task.spec.id}: ${traffic.length} recorded calls\n`);
    }
    const noChecks = join(dir, 'no-generated.md');
    writeFileSync(noChecks, readFileSync(join(STEWARD_ROOT, 'playbooks', 'default.md'), 'utf8').replace('policies:\n', 'policies:\n  generatedInputs: 0\n'));
    const off = evalRun(plain, join(dir, 'out-off'), ['--playbook', noChecks]);
    const on = evalRun(recorded, join(dir, 'out-on'), []);
    const row = (name: string, r: Results): string => {
      const toFix = r.summary.costs.medianWallMsToFix;
      return `  ${name.padEnd(44)} resolved ${r.summary.overall.successes}/${r.attempts.length}, median to a fix ${toFix === null ? '-' : fmt(toFix)}, median per task ${fmt(r.summary.costs.medianWallMs)}`;
    };
    process.stdout.write(`\nbehaviour bench (${tasks.length} tasks, concurrency 2):\n`);
    process.stdout.write(`${row('no traffic, no generated inputs', off)}\n${row(`${RECORDED} recorded calls + 200 generated inputs`, on)}\n`);
    const a = off.summary.costs.medianWallMsToFix;
    const b = on.summary.costs.medianWallMsToFix;
    if (a && b) process.stdout.write(`  added to the median time to a validated fix: ${Math.round((b / a - 1) * 100)}% (target <= 50%)\n`);
    const perTask = (r: Results): Map<string, number> => new Map(r.attempts.filter((t) => t.success).map((t) => [t.task, t.costs.wallMs]));
    const [x, y] = [perTask(off), perTask(on)];
    const ratios = [...x.keys()].filter((k) => y.has(k)).map((k) => (y.get(k) ?? 0) / (x.get(k) ?? 1));
    if (ratios.length > 0) process.stdout.write(`  median per-task ratio (with / without) over ${ratios.length} fixed task(s): ${median(ratios).toFixed(2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Successful calls of the plugin as it stands, on inputs generated from its schema and seeded by the task's captured inputs. */
async function recordTraffic(task: EvalTask, count: number): Promise<{ input: unknown; output: unknown }[]> {
  const schema = task.manifest.interface?.input;
  if (!schema || typeof schema !== 'object') return [];
  const seeds = task.spec.events.map((e) => e.invocation?.input).filter((i) => i !== undefined);
  const inputs = generateInputs(schema as Record<string, unknown>, seeds, count * 2, 7);
  const copy = createWorkingCopy(task.pluginDir);
  try {
    const answers = await invokeMany({ manifest: task.manifest, copy, inputs, env: task.spec.env ?? {}, perCallMs: 2000, totalMs: 120_000, parallel: 2 });
    return answers.flatMap((a, i) => (a.ok ? [{ input: inputs[i], output: a.output }] : [])).slice(0, count);
  } finally {
    copy.dispose();
  }
}

function evalRun(suite: string, out: string, extra: string[]): Results {
  const cli = spawnSync(process.execPath, [STEWARD, 'eval', 'run', suite, '--out', out, '--concurrency', '2', '--fixer', 'offline', ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (cli.status !== 0) throw new Error(`steward eval run exited ${cli.status}`);
  return readResults(out);
}
