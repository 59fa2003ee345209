import { Command } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';
import type { Library } from '../library/library.ts';
import { runInterrupt, type AgentDefinition, type RunDeps } from './agent.ts';
import { withLock } from '../redis/lock.ts';
import { cancelRequested, runLockKey } from './locks.ts';
import { nextActionFor } from './next-action.ts';
import { appendOutput } from './output.ts';
import type { RunRecord, RunState, RunStore } from './types.ts';

/** A job on the runs queue: a run to start or go on with, and a person's answer when one resumes an interrupt. */
export interface RunJob {
  run: string;
  resume?: unknown;
}

export interface ExecutorDeps {
  library: Library;
  store: RunStore;
  redis: Redis;
  agent: AgentDefinition;
  checkpointer: BaseCheckpointSaver;
  /** This worker, as the run lock names it. */
  owner: string;
  lockMs: number;
  maxResumes: number;
  log: Logger;
}

/** Why a run's controller was aborted. */
export type StopReason = 'cancel' | 'shutdown' | 'budget';

export type ExecuteOutcome = RunState | 'locked' | 'missing' | 'stopped-for-shutdown';

const TERMINAL: RunState[] = ['completed', 'failed', 'cancelled'];

/** Per-node progress from LangGraph's `tasks` stream: started with its input, finished with its result or error. */
function recordTask(store: RunStore, run: string, chunk: unknown): void {
  if (!Array.isArray(chunk) || chunk[0] !== 'tasks') return;
  const task = chunk[1] as { name?: string; input?: unknown; result?: unknown; error?: { message?: string } | null; interrupts?: unknown[] };
  if (!task.name || task.name.startsWith('__')) return;
  if ('input' in task) store.appendEvent(run, 'node-started', { node: task.name });
  else store.appendEvent(run, 'node-finished', { node: task.name, ...(task.error ? { error: task.error.message ?? 'error' } : {}), ...(task.interrupts?.length ? { interrupted: true } : {}) });
}

/**
 * Executes one run job: under the run's lock, from its last checkpoint when it has
 * one, until the graph ends, asks a person (`interrupt`), fails, or is stopped. The
 * run record says which; a job for a run that already ended changes nothing.
 */
export async function executeRun(job: RunJob, deps: ExecutorDeps, controller: AbortController): Promise<ExecuteOutcome> {
  const { store, redis } = deps;
  const before = store.get(job.run);
  if (!before) return 'missing';
  if (TERMINAL.includes(before.state)) return before.state;
  // A duplicate job for a run that waits for a person must not answer for them.
  if ((before.state === 'awaiting_approval' || before.state === 'paused') && job.resume === undefined) return before.state;
  const held = await withLock(redis, runLockKey(job.run), deps.owner, deps.lockMs, async () => {
    const run = store.get(job.run) ?? before;
    if (TERMINAL.includes(run.state)) return run.state;
    if (await cancelRequested(redis, run.id)) return finish(store, run.id, 'cancelled');
    return drive(run, job, deps, controller);
  });
  return held ? held.value : 'locked';
}

async function drive(run: RunRecord, job: RunJob, deps: ExecutorDeps, controller: AbortController): Promise<ExecuteOutcome> {
  const { store } = deps;
  const config = { configurable: { thread_id: run.id } };
  const budget = deps.library.config.manager.tokenBudget.perRun;
  const runDeps: RunDeps = {
    run,
    library: deps.library,
    signal: controller.signal,
    emit: (kind, data) => void store.appendEvent(run.id, kind, data),
    output: (text) => appendOutput(deps.library, run.id, text),
    async once(key, effect) {
      const done = store.effect(key);
      if (done) {
        store.appendEvent(run.id, 'effect-reused', { key, by: done.run });
        return done.result as never;
      }
      const result = await effect();
      if (store.recordEffect(key, run.id, result)) store.appendEvent(run.id, 'effect', { key });
      return (store.effect(key)?.result ?? result) as never;
    },
    spendTokens(tokens) {
      const total = store.addTokens(run.id, tokens);
      store.appendEvent(run.id, 'tokens', { tokens, total });
      if (budget > 0 && total > budget) controller.abort('budget' satisfies StopReason);
    },
    log: deps.log.child({ run: run.id }),
  };
  const graph = deps.agent.build(runDeps, deps.checkpointer);
  const saved = await graph.getState(config);
  const hasCheckpoint = saved.createdAt !== undefined;
  if (run.state === 'running') {
    // Running, yet its lock was free: the worker that had it died.
    const resumes = store.events(run.id).filter((e) => e.kind === 'resumed' && (e.data as { cause?: string }).cause === 'worker-died').length;
    if (resumes >= deps.maxResumes) return finish(store, run.id, 'failed', `its worker died ${resumes + 1} times; the policy resumes a run at most ${deps.maxResumes} times`);
    store.appendEvent(run.id, 'resumed', { cause: 'worker-died', from: saved.config.configurable?.checkpoint_id ?? null });
  } else if (hasCheckpoint && job.resume === undefined) {
    store.appendEvent(run.id, 'resumed', { cause: 'requested', from: saved.config.configurable?.checkpoint_id ?? null });
  }
  if (job.resume !== undefined) store.appendEvent(run.id, 'answered', { answer: job.resume });
  store.appendEvent(run.id, 'claimed', { owner: deps.owner });
  store.update(run.id, { state: 'running', error: null, nextAction: `running on ${deps.owner}; steward runs cancel ${run.id} stops it` });
  const input = job.resume !== undefined ? new Command({ resume: job.resume }) : hasCheckpoint ? null : deps.agent.input(run);
  try {
    for await (const chunk of await graph.stream(input, { ...config, streamMode: ['tasks'], signal: controller.signal })) recordTask(store, run.id, chunk);
  } catch (error) {
    const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
    if (reason === 'shutdown') {
      finish(store, run.id, 'queued', undefined, 'the worker shut down; the run goes on from its last checkpoint when a worker takes it');
      return 'stopped-for-shutdown';
    }
    if (reason === 'cancel') return finish(store, run.id, 'cancelled');
    if (reason === 'budget') return finish(store, run.id, 'failed', `token budget: more than ${budget} tokens (manager.tokenBudget.perRun)`);
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn({ run: run.id, err: message }, 'run failed');
    return finish(store, run.id, 'failed', message);
  }
  const after = await graph.getState(config);
  const asked = after.tasks.flatMap((task) => task.interrupts).map((i) => runInterrupt.safeParse(i.value));
  const first = asked[0];
  if (first) {
    if (!first.success) return finish(store, run.id, 'failed', 'the graph interrupted without saying what it waits for (kind, reason, nextAction)');
    store.appendEvent(run.id, 'waiting', first.data);
    return finish(store, run.id, first.data.kind === 'approval' ? 'awaiting_approval' : 'paused', undefined, first.data.nextAction);
  }
  return finish(store, run.id, 'completed');
}

function finish(store: RunStore, run: string, state: RunState, error?: string, nextAction?: string): RunState {
  store.update(run, { state, error: error ?? null, nextAction: nextAction ?? nextActionFor(run, state) });
  if (error) store.appendEvent(run, 'error', { message: error });
  return state;
}
