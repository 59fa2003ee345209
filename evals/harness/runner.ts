import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf, StewardError } from '../../orchestrator/core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../orchestrator/core/files.ts';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { stopRedis } from '../../orchestrator/redis/server.ts';
import { runPipeline, type PipelineOptions } from './pipeline.ts';
import { renderHtml } from './report/html.ts';
import { renderMarkdown } from './report/markdown.ts';
import { attemptSchema, baselineSchema, summarise, type Attempt, type Baseline, type EvalConfig, type Results } from './results.ts';
import { costsOf, measureBaseline, scoreAttempt } from './score.ts';
import { taskDigest, type EvalTask, type Suite } from './task.ts';

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

const FILES = { config: 'eval.json', attempts: 'attempts.jsonl', baselines: 'baselines.json', results: 'results.json' } as const;

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

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StewardError('E_EVAL_OUT_MISMATCH', `cannot be read: ${messageOf(error)}`, { file, hint: 'give another --out, or --fresh to start over' });
  }
}

/**
 * The out dir remembers the eval it holds: a killed eval resumes with the attempts it
 * recorded. Other settings, or tasks changed since, are refused, never mixed in.
 */
function openOut(out: string, fingerprint: string): { done: Attempt[]; baselines: Record<string, Baseline> } {
  mkdirSync(out, { recursive: true });
  const configFile = join(out, FILES.config);
  const attemptsFile = join(out, FILES.attempts);
  if (existsSync(configFile)) {
    const previous = readJson(configFile) as { fingerprint?: unknown };
    if (previous.fingerprint !== fingerprint) {
      throw new StewardError('E_EVAL_OUT_MISMATCH', 'holds an eval with other settings (suite, tasks or their contents, fixer, model, playbook, repeats or timeout)', {
        file: configFile,
        hint: 'give another --out, or --fresh to start over',
      });
    }
  } else if (existsSync(attemptsFile)) {
    throw new StewardError('E_EVAL_OUT_MISMATCH', 'holds attempts of an eval whose settings are unknown (eval.json is missing)', {
      file: out,
      hint: 'give another --out, or --fresh to start over',
    });
  } else {
    writeJsonAtomic(configFile, { fingerprint });
  }
  const done: Attempt[] = [];
  if (existsSync(attemptsFile)) {
    for (const line of readFileSync(attemptsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      // A line cut short by a kill is dropped: its attempt is simply done again.
      try {
        const parsed = attemptSchema.safeParse(JSON.parse(line));
        if (parsed.success) done.push(parsed.data);
      } catch {
        continue;
      }
    }
  }
  const baselinesFile = join(out, FILES.baselines);
  const baselines: Record<string, Baseline> = {};
  if (existsSync(baselinesFile)) {
    for (const [task, value] of Object.entries(readJson(baselinesFile) as Record<string, unknown>)) {
      const parsed = baselineSchema.safeParse(value);
      if (parsed.success) baselines[task] = parsed.data;
    }
  }
  return { done, baselines };
}

/** Whether `out` may be wiped by --fresh: empty, absent, or an eval's own directory. */
export function isEvalOut(out: string): boolean {
  return !existsSync(out) || readdirSync(out).length === 0 || existsSync(join(out, FILES.config));
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
  try {
    const outcome = await runPipeline(task, dir, pipeline);
    const wallMs = Date.now() - started;
    const { scores, reason, detail } = await scoreAttempt(task, await baseline, outcome);
    return {
      ...base,
      success: (task.spec.expect.fix ? scores.resolved : scores.correct) === true,
      scores,
      reason,
      detail,
      costs: costsOf(outcome, wallMs),
      patch: outcome.patch ?? null,
      run: outcome.run?.id ?? null,
      runState: outcome.run?.state ?? null,
    };
  } catch (error) {
    options.log.warn({ task: task.spec.id, repeat, err: messageOf(error) }, 'an eval attempt crashed');
    return crashed(base, Date.now() - started, messageOf(error));
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
  const { done, baselines } = openOut(options.out, fingerprintOf(options.config, options.suite, options.timeoutMs));
  const byKey = new Map(done.map((a) => [`${a.task}#${a.repeat}`, a]));
  const attempts = [...byKey.values()];
  const todo: { task: EvalTask; repeat: number }[] = [];
  for (let repeat = 1; repeat <= options.config.repeat; repeat++) {
    for (const task of options.suite.tasks) if (!byKey.has(`${task.spec.id}#${repeat}`)) todo.push({ task, repeat });
  }
  const total = options.suite.tasks.length * options.config.repeat;
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
        writeJsonAtomic(join(options.out, FILES.baselines), baselines);
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
      appendFileSync(join(options.out, FILES.attempts), `${JSON.stringify(result)}\n`);
      attempts.push(result);
      options.onAttempt?.(result, attempts.length, total);
    },
    options.signal,
  );
  const order = new Map(options.suite.tasks.map((t, i) => [t.spec.id, i]));
  attempts.sort((a, b) => (order.get(a.task) ?? 0) - (order.get(b.task) ?? 0) || a.repeat - b.repeat);
  const results: Results = {
    format: 'steward-eval-results/1',
    config: options.config,
    startedAt,
    finishedAt: new Date().toISOString(),
    wallMs: Date.now() - started,
    concurrency: options.concurrency,
    tasks: options.suite.tasks.map((t) => ({
      id: t.spec.id,
      title: t.spec.title,
      tier: t.spec.tier,
      category: t.spec.category,
      expectFix: t.spec.expect.fix,
      baseline: baselines[t.spec.id] ?? { visiblePassed: [], hiddenTests: [], hiddenFailedOnOriginal: 0, warnings: ['not measured: the eval was stopped first'] },
    })),
    attempts,
    summary: summarise(attempts),
  };
  if (!options.signal?.aborted) {
    writeJsonAtomic(join(options.out, FILES.results), results);
    // The two readable companions, written with it so that all three always agree.
    writeFileAtomic(join(options.out, 'report.md'), renderMarkdown(results));
    writeFileAtomic(join(options.out, 'report.html'), renderHtml(results));
    rmSync(join(options.out, 'work'), { recursive: true, force: true });
  }
  return results;
}
