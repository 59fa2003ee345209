import { messageOf } from '../core/errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';
import type { Library } from '../library/library.ts';
import { runInterrupt, type AgentDefinition, type AgentGraph, type RunDeps } from './agent.ts';
import { withLock, type HeldLock } from '../redis/lock.ts';
import { cancelRequested, runLockKey } from './locks.ts';
import { nextActionFor } from './next-action.ts';
import { lastWaiting } from './waiting.ts';
import { appendOutput } from './output.ts';
import type { RunRecord, RunState, RunStore } from './types.ts';

/**
 * A job on the runs queue: a run to start or go on with; with `resume`, a person's
 * answer to the interrupt `interrupt` (an answer meant for another interrupt is dropped).
 */
export interface RunJob {
  run: string;
  resume?: unknown;
  interrupt?: string;
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
  /** Told each state a run takes here (the worker's progress lines). */
  onState?: (change: RunStateChange) => void;
}

/** A run's new state, as the worker that moved it tells it. */
export interface RunStateChange {
  run: string;
  plugin: string;
  state: RunState;
  /** How it ended, what went wrong, or what it waits for. */
  note?: string;
}

/** Why a run's controller was aborted. */
export type StopReason = 'cancel' | 'shutdown' | 'budget' | 'lock-lost';

export type ExecuteOutcome = RunState | 'locked' | 'stopped-for-shutdown' | 'lock-lost' | 'answer-dropped';

const TERMINAL: RunState[] = ['completed', 'failed', 'cancelled'];

/** Per-node progress from LangGraph's `tasks` stream: started with its input, finished with its result or error. */
async function recordTask(store: RunStore, run: string, chunk: unknown): Promise<void> {
  if (!Array.isArray(chunk) || chunk[0] !== 'tasks') return;
  const task = chunk[1] as { name?: string; input?: unknown; result?: unknown; error?: { message?: string } | null; interrupts?: unknown[] };
  if (!task.name || task.name.startsWith('__')) return;
  if ('input' in task) await store.appendEvent(run, 'node-started', { node: task.name });
  else
    await store.appendEvent(run, 'node-finished', {
      node: task.name,
      ...(task.error ? { error: task.error.message ?? 'error' } : {}),
      ...(task.interrupts?.length ? { interrupted: true } : {}),
    });
}

/** A claim older than this was left by a worker that died in the middle of the effect. */
const STALE_CLAIM_MS = 60_000;

/**
 * An effect done once under its key: the first caller claims it before doing it, so a
 * worker that lost the run (or a node left running after an abort) and the worker
 * that took over never both do it. A claim left by a dead worker is taken over after
 * a minute: the effect is then done at least once, and the tracker's own markers
 * keep that from becoming a duplicate issue.
 */
async function performOnce<T>(store: RunStore, run: string, key: string, effect: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 2 * STALE_CLAIM_MS;
  for (;;) {
    const claim = await store.claimEffect(key, run, STALE_CLAIM_MS);
    if (claim.status === 'done') {
      await store.appendEvent(run, 'effect-reused', { key, by: claim.effect.run });
      return claim.effect.result as T;
    }
    if (claim.status === 'claimed') {
      // An effect may take longer than the stale age (GitHub asking to wait out a rate
      // limit): while it runs, its claim is renewed, so no one takes it over.
      const renewal = setInterval(() => void store.renewEffect(key, run).catch(() => undefined), STALE_CLAIM_MS / 3);
      try {
        const result = await effect();
        const held = await store.completeEffect(key, run, result);
        await store.appendEvent(run, held ? 'effect' : 'effect-claim-lost', { key });
        return result;
      } catch (error) {
        await store.releaseEffect(key, run);
        throw error;
      } finally {
        clearInterval(renewal);
      }
    }
    if (Date.now() > deadline) throw new Error(`effect "${key}" stayed claimed by run ${claim.by}`);
    await sleep(250);
  }
}

/** The interrupt the run waits on now, if any (its id and value). */
async function pendingInterrupt(graph: AgentGraph, run: string): Promise<{ id: string | undefined; value: unknown } | undefined> {
  const snapshot = await graph.getState({ configurable: { thread_id: run } });
  const found = snapshot.tasks.flatMap((task) => task.interrupts)[0];
  return found ? { id: found.id, value: found.value } : undefined;
}

/**
 * Executes one run job: under the run's lock, from its last checkpoint when it has
 * one, until the graph ends, asks a person (`interrupt`), fails, or is stopped. The
 * run record says which; a job for a run that already ended changes nothing. Every
 * final write checks that the lock is still this job's, so a worker that stalled
 * past its lock never overwrites what the worker that took the run over decided.
 */
export async function executeRun(job: RunJob, deps: ExecutorDeps, controller: AbortController): Promise<ExecuteOutcome> {
  const { store, redis } = deps;
  const before = await store.get(job.run);
  // Not in this state database: a worker of another fleet, or a record removed by hand.
  if (!before) throw new Error(`run ${job.run} is not in this worker's state database`);
  if (TERMINAL.includes(before.state)) return before.state;
  const held = await withLock(
    redis,
    runLockKey(job.run),
    deps.owner,
    deps.lockMs,
    async (lock) => {
      const cancelWatch = setInterval(
        () => {
          void cancelRequested(redis, job.run).then(
            (yes) => yes && controller.abort('cancel' satisfies StopReason),
            () => undefined,
          );
        },
        Math.max(200, Math.floor(deps.lockMs / 3)),
      );
      try {
        return await underLock(job, deps, controller, lock);
      } finally {
        clearInterval(cancelWatch);
      }
    },
    () => controller.abort('lock-lost' satisfies StopReason),
  );
  return held ? held.value : 'locked';
}

async function underLock(job: RunJob, deps: ExecutorDeps, controller: AbortController, lock: HeldLock): Promise<ExecuteOutcome> {
  const { store, redis } = deps;
  const run = await store.get(job.run);
  if (!run || TERMINAL.includes(run.state)) return run?.state ?? 'cancelled';
  // Checked under the lock: a job without an answer never answers for a person.
  if ((run.state === 'awaiting_approval' || run.state === 'paused') && job.resume === undefined) return run.state;
  // The run's events in the order they happened, all written before its final state.
  const writes = orderedWrites(deps.log.child({ run: run.id }));
  const finish = async (state: RunState, error?: string, nextAction?: string, outcome?: string): Promise<ExecuteOutcome> => {
    await writes.flush();
    if (!(await lock.stillHeld())) return 'lock-lost';
    const next = nextAction ?? nextActionFor(run.id, state);
    await store.update(run.id, { state, error: error ?? null, nextAction: next, ...(outcome ? { outcome } : {}) });
    if (error) await store.appendEvent(run.id, 'error', { message: error });
    const note = error ?? outcome ?? next ?? undefined;
    deps.onState?.({ run: run.id, plugin: run.plugin, state, ...(note ? { note } : {}) });
    return state;
  };
  if (await cancelRequested(redis, run.id)) return finish('cancelled');
  try {
    return await drive(run, job, deps, controller, finish, writes);
  } catch (error) {
    // Whatever failed (the graph's build, a state read, the store), the run must not stay `running`.
    const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
    if (reason === 'lock-lost') return 'lock-lost';
    if (reason === 'shutdown') {
      await finish('queued', undefined, 'the worker shut down; the run goes on from its last checkpoint when a worker takes it');
      return 'stopped-for-shutdown';
    }
    if (reason === 'cancel') return finish('cancelled');
    if (reason === 'budget') return finish('failed', `token budget: more than ${deps.library.config.manager.tokenBudget.perRun} tokens (manager.tokenBudget.perRun)`);
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn({ run: run.id, err: message }, 'run failed');
    return finish('failed', message);
  }
}

type Finish = (state: RunState, error?: string, nextAction?: string, outcome?: string) => Promise<ExecuteOutcome>;

/**
 * A node's progress events and token counts, written in the order the node made them
 * (a node's `emit` does not wait for the database); `flush` waits for all of them.
 */
function orderedWrites(log: Logger): { push(write: () => Promise<unknown>): void; flush(): Promise<void> } {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    push(write) {
      chain = chain.then(write).catch((error: unknown) => log.warn({ err: messageOf(error) }, 'a run event was not recorded'));
    },
    flush: async () => {
      await chain;
    },
  };
}

type Writes = ReturnType<typeof orderedWrites>;

async function drive(run: RunRecord, job: RunJob, deps: ExecutorDeps, controller: AbortController, finish: Finish, writes: Writes): Promise<ExecuteOutcome> {
  const { store } = deps;
  const config = { configurable: { thread_id: run.id } };
  const budget = deps.library.config.manager.tokenBudget.perRun;
  const log = deps.log.child({ run: run.id });
  const runDeps: RunDeps = {
    run,
    library: deps.library,
    signal: controller.signal,
    emit: (kind, data) => writes.push(() => store.appendEvent(run.id, kind, data)),
    output: (text) => appendOutput(deps.library, run.id, text),
    once: async (key, effect) => {
      await writes.flush();
      return performOnce(store, run.id, key, effect);
    },
    spendTokens(tokens) {
      writes.push(async () => {
        const total = await store.addTokens(run.id, tokens);
        await store.appendEvent(run.id, 'tokens', { tokens, total });
        if (budget > 0 && total > budget) controller.abort('budget' satisfies StopReason);
      });
    },
    log,
  };
  const graph = deps.agent.build(runDeps, deps.checkpointer);
  if (job.resume !== undefined && job.interrupt !== undefined) {
    const pending = await pendingInterrupt(graph, run.id);
    if (pending?.id !== job.interrupt) {
      // An answer to a question the run no longer asks (a re-delivered or duplicate job).
      await store.appendEvent(run.id, 'answer-dropped', { for: job.interrupt, pending: pending?.id ?? null });
      if (run.state === 'queued') {
        const waiting = await lastWaiting(store, run.id);
        if (pending) await finish(waiting?.kind === 'approval' ? 'awaiting_approval' : 'paused', undefined, waiting?.nextAction);
        else await finish('failed', 'an answer arrived for an interrupt the run does not wait on');
      }
      return 'answer-dropped';
    }
  }
  const saved = await graph.getState(config);
  const hasCheckpoint = saved.createdAt !== undefined;
  if (run.state === 'running') {
    // Running, yet its lock was free: the worker that had it died.
    const resumes = (await store.events(run.id)).filter((e) => e.kind === 'resumed' && (e.data as { cause?: string }).cause === 'worker-died').length;
    if (resumes >= deps.maxResumes) return finish('failed', `its worker died ${resumes + 1} times; the policy resumes a run at most ${deps.maxResumes} times`);
    await store.appendEvent(run.id, 'resumed', { cause: 'worker-died', from: saved.config.configurable?.checkpoint_id ?? null });
  } else if (hasCheckpoint && job.resume === undefined) {
    await store.appendEvent(run.id, 'resumed', { cause: 'requested', from: saved.config.configurable?.checkpoint_id ?? null });
  }
  if (job.resume !== undefined) await store.appendEvent(run.id, 'answered', { answer: job.resume });
  await store.appendEvent(run.id, 'claimed', { owner: deps.owner });
  await store.update(run.id, { state: 'running', error: null, nextAction: `running on ${deps.owner}; steward runs cancel ${run.id} stops it` });
  deps.onState?.({ run: run.id, plugin: run.plugin, state: 'running' });
  const input = job.resume !== undefined ? new Command({ resume: job.resume }) : hasCheckpoint ? null : deps.agent.input(run);
  // Each step's checkpoint is saved before the next step starts ("sync"): with LangGraph's
  // default ("async"), a worker killed early in a step could lose the step before it,
  // and the run that takes over would do that step again.
  for await (const chunk of await graph.stream(input, { ...config, streamMode: ['tasks'], signal: controller.signal, durability: 'sync' })) {
    await writes.flush();
    await recordTask(store, run.id, chunk);
  }
  const after = await graph.getState(config);
  const asked = after.tasks.flatMap((task) => task.interrupts)[0];
  if (asked) {
    const parsed = runInterrupt.safeParse(asked.value);
    if (!parsed.success) return finish('failed', 'the graph interrupted without saying what it waits for (kind, reason, nextAction)');
    await writes.flush();
    await store.appendEvent(run.id, 'waiting', { ...parsed.data, interrupt: asked.id ?? null });
    return finish(parsed.data.kind === 'approval' ? 'awaiting_approval' : 'paused', undefined, parsed.data.nextAction);
  }
  // The graph's own words for how it ended (the Plugin Agent's `outcome`), kept with the run.
  const said = (after.values as { outcome?: unknown } | undefined)?.outcome;
  return finish('completed', undefined, undefined, typeof said === 'string' ? said.slice(0, 500) : undefined);
}
