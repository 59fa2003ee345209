import { appendFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../orchestrator/core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../orchestrator/core/files.ts';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { stopRedis } from '../../orchestrator/redis/server.ts';
import { openOut, OUT_FILES, saveProgress, type Progress } from './out-dir.ts';
import type { PipelineOutcome } from './outcome.ts';
import { runPipeline, type PipelineOptions } from './pipeline.ts';
import { renderHtml } from './report/html.ts';
import { renderMarkdown } from './report/markdown.ts';
import { summarise, type Attempt, type Baseline, type EvalConfig, type Results } from './results.ts';
import { costsOf, measureBaseline, scoreAttempt } from './score.ts';
import { taskDigest, type EvalTask, type Suite } from './task.ts';
import { familiesOf } from './families.ts';
import { buildTrajectory, proposerOf, writeTrajectory } from './trajectory/build.ts';

export interface RunEvalOptions {
  suite: Suite;
  config: EvalConfig;
  out: string;
  concurrency: number;
  timeoutMs: number;
  playbook?: { name: string; text: string };
  stewardRoot: string;
  log: Logger;
  signal?: AbortSignal;
  chatModel?: PipelineOptions['chatModel'];
  /** Called once before any attempt, with the attempts a killed eval had recorded. */
  onStart?: (recorded: readonly Attempt[], total: number) => void;
  /** Called after every attempt, with how many are done of how many. */
  onAttempt?: (attempt: Attempt, done: number, total: number) => void;
}

/** What must be the same for attempts to be resumed rather than redone: every setting that changes an outcome. */
function fingerprintOf(config: EvalConfig, suite: Suite, timeoutMs: number): string {
  return JSON.stringify({
    suite: config.suite.name,
    fixer: config.fixer,
    model: config.model,
    playbook: config.playbook.hash,
    repeat: config.repeat,
    timeoutMs,
    tasks: suite.tasks.map((t) => [t.spec.id, taskDigest(t)]),
  });
}

/** Stops the Redis servers a killed eval's attempts left running under `out`. */
export async function stopLeftovers(out: string): Promise<void> {
  const work = join(out, 'work');
  if (!existsSync(work)) return;
  for (const name of readdirSync(work)) await stopAttemptRedis(join(work, name));
}

/** An attempt's Redis, which lives in its scratch library's state dir (the layout `prepareLibrary` makes). */
function stopAttemptRedis(dir: string): Promise<boolean> {
  return stopRedis(join(dir, 'library', '.steward')).catch(() => false);
}

type AttemptBase = Pick<Attempt, 'task' | 'repeat' | 'tier' | 'category' | 'expectFix' | 'startedAt'>;

/** An attempt that ended in an error of the harness or the pipeline: scored as a crash, with the message. */
function crashed(base: AttemptBase, wallMs: number, message: string): Attempt {
  return {
    ...base,
    success: false,
    scores: { issue: false, reproduced: false, patch: false, resolved: base.expectFix ? false : null, correct: base.expectFix ? null : false },
    reason: 'crash',
    detail: message.slice(0, 500),
    costs: { wallMs, tokens: 0, modelCalls: 0, sandboxRuns: 0, candidatesTried: 0 },
    patch: null,
    run: null,
    runState: null,
    proposedBy: null,
  };
}

async function attempt(task: EvalTask, repeat: number, baseline: Promise<Baseline>, options: RunEvalOptions): Promise<Attempt> {
  const dir = join(options.out, 'work', `${task.spec.id}.${repeat}`);
  // A killed eval may have left this attempt's Redis running: stopped before its directory goes.
  await stopAttemptRedis(dir);
  rmSync(dir, { recursive: true, force: true });
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const base: AttemptBase = { task: task.spec.id, repeat, tier: task.spec.tier, category: task.spec.category, expectFix: task.spec.expect.fix, startedAt };
  const pipeline: PipelineOptions = {
    fixer: options.config.fixer,
    model: options.config.model,
    stewardRoot: options.stewardRoot,
    timeoutMs: options.timeoutMs,
    log: options.log,
    ...(options.playbook ? { playbook: options.playbook } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.chatModel ? { chatModel: options.chatModel } : {}),
  };
  let result: Attempt;
  let outcome: PipelineOutcome | undefined;
  try {
    outcome = await runPipeline(task, dir, pipeline);
    const wallMs = Date.now() - started;
    const { scores, reason, detail } = await scoreAttempt(task, await baseline, outcome);
    result = {
      ...base,
      success: (task.spec.expect.fix ? scores.resolved : scores.correct) === true,
      scores,
      reason,
      detail,
      costs: costsOf(outcome, wallMs),
      patch: outcome.patch ?? null,
      run: outcome.runs[0]?.run.id ?? null,
      runState: outcome.runs[0]?.run.state ?? null,
      runs: outcome.runs.map(({ run }) => ({ id: run.id, state: run.state })),
      proposedBy: proposerOf(outcome),
      families: familiesOf(outcome),
    };
  } catch (error) {
    options.log.warn({ task: task.spec.id, repeat, err: messageOf(error) }, 'an eval attempt crashed');
    result = crashed(base, Date.now() - started, messageOf(error));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...result, trajectory: keepTrajectory(options, result, outcome) };
}

/** A trajectory that cannot be written costs the attempt its trajectory, never its score. */
function keepTrajectory(options: RunEvalOptions, result: Attempt, outcome: PipelineOutcome | undefined): string | null {
  try {
    return writeTrajectory(options.out, buildTrajectory(result, outcome));
  } catch (error) {
    options.log.warn({ task: result.task, repeat: result.repeat, err: messageOf(error) }, 'writing an eval trajectory');
    return null;
  }
}

/** Runs `items` through `work`, at most `limit` at once, in order of start. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/**
 * Every task of the suite, `repeat` times, through the real pipeline; scores each
 * attempt as eval-task.md says and writes results.json, report.md and report.html. Attempts are appended to
 * attempts.jsonl as they finish, so a killed eval resumes where it stopped.
 */
export async function runEval(options: RunEvalOptions): Promise<Results> {
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const fingerprint = fingerprintOf(options.config, options.suite, options.timeoutMs);
  const { done, baselines, progress: before } = openOut(options.out, fingerprint);
  const byKey = new Map(done.map((a) => [`${a.task}#${a.repeat}`, a]));
  const attempts = [...byKey.values()];
  const todo: { task: EvalTask; repeat: number }[] = [];
  for (let repeat = 1; repeat <= options.config.repeat; repeat++) {
    for (const task of options.suite.tasks) if (!byKey.has(`${task.spec.id}#${repeat}`)) todo.push({ task, repeat });
  }
  const total = options.suite.tasks.length * options.config.repeat;
  // Only a session with attempts to do adds its time: re-running a finished eval changes none of its figures.
  const progressNow = (): Progress =>
    todo.length === 0 && before
      ? before
      : {
          startedAt: before?.startedAt ?? startedAt,
          finishedAt: new Date().toISOString(),
          wallMs: (before?.wallMs ?? 0) + (Date.now() - started),
          concurrency: options.concurrency,
        };
  options.onStart?.(attempts, total);
  // One measurement a task, shared by its repeats even when they run at once.
  const measuring = new Map<string, Promise<Baseline>>();
  const baselineOf = (task: EvalTask): Promise<Baseline> => {
    const known = baselines[task.spec.id];
    if (known) return Promise.resolve(known);
    let pending = measuring.get(task.spec.id);
    if (!pending) {
      pending = measureBaseline(task).then((measured) => {
        baselines[task.spec.id] = measured;
        writeJsonAtomic(join(options.out, OUT_FILES.baselines), baselines);
        return measured;
      });
      // Awaited by each attempt only after its run: marked handled now, so a failure is not an unhandled rejection meanwhile.
      pending.catch(() => undefined);
      measuring.set(task.spec.id, pending);
    }
    return pending;
  };
  await pool(
    todo,
    options.concurrency,
    async ({ task, repeat }) => {
      const result = await attempt(task, repeat, baselineOf(task), options);
      if (options.signal?.aborted) return;
      appendFileSync(join(options.out, OUT_FILES.attempts), `${JSON.stringify(result)}\n`);
      saveProgress(options.out, fingerprint, progressNow());
      attempts.push(result);
      options.onAttempt?.(result, attempts.length, total);
    },
    options.signal,
  );
  const order = new Map(options.suite.tasks.map((t, i) => [t.spec.id, i]));
  attempts.sort((a, b) => (order.get(a.task) ?? 0) - (order.get(b.task) ?? 0) || a.repeat - b.repeat);
  const progress = progressNow();
  saveProgress(options.out, fingerprint, progress);
  const results: Results = {
    format: 'steward-eval-results/1',
    config: options.config,
    ...progress,
    tasks: options.suite.tasks.map((t) => ({
      id: t.spec.id,
      title: t.spec.title,
      tier: t.spec.tier,
      category: t.spec.category,
      expectFix: t.spec.expect.fix,
      baseline: baselines[t.spec.id] ?? { visiblePassed: [], hiddenTests: [], hiddenFailedOnOriginal: 0, warnings: ['not measured: the eval was stopped first'] },
    })),
    attempts,
    summary: summarise(attempts, options.config.fixer),
  };
  if (!options.signal?.aborted) {
    writeJsonAtomic(join(options.out, OUT_FILES.results), results);
    // The two readable companions, written with it so that all three always agree.
    writeFileAtomic(join(options.out, 'report.md'), renderMarkdown(results));
    writeFileAtomic(join(options.out, 'report.html'), renderHtml(results));
    rmSync(join(options.out, 'work'), { recursive: true, force: true });
  }
  return results;
}
