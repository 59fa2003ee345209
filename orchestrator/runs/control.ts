import { setTimeout as sleep } from 'node:timers/promises';
import type { BaseCheckpointSaver, CheckpointTuple } from '@langchain/langgraph';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { StewardError } from '../core/errors.ts';
import { newRunId } from './ids.ts';
import type { RunJob } from './execute-run.ts';
import { clearCancel, requestCancel, runLockHolder } from './locks.ts';
import { nextActionFor } from './next-action.ts';
import { lastWaiting } from './waiting.ts';
import type { RunRecord, RunState, RunStore } from './types.ts';

/** What controlling runs from outside a worker needs: the CLI, the dashboard, start-up recovery. */
export interface RunControl {
  store: RunStore;
  queue: Queue<RunJob>;
  redis: Redis;
}

const PENDING = ['active', 'waiting', 'delayed', 'prioritized'] as const;

/** The run, or the usage error every command gives for an unknown id. */
export async function requireRun(store: RunStore, id: string): Promise<RunRecord> {
  const run = await store.get(id);
  if (!run) throw new StewardError('E_RUN_UNKNOWN', `no run "${id}"`, { hint: 'steward runs list' });
  return run;
}

async function waitingInterrupt(store: RunStore, run: string): Promise<string | undefined> {
  return (await lastWaiting(store, run))?.interrupt ?? undefined;
}

/** Puts a job for the run on the runs queue; a run's first job has the run's id, later ones a suffix. */
export async function enqueueRun(queue: Queue<RunJob>, run: string, resume?: unknown, first = false, interrupt?: string): Promise<void> {
  const data: RunJob = resume === undefined ? { run } : { run, resume, ...(interrupt ? { interrupt } : {}) };
  await queue.add('run', data, { jobId: first ? run : `${run}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, attempts: 1 });
}

/** The first jobs of new runs, in one round trip. */
export async function enqueueNewRuns(queue: Queue<RunJob>, runs: string[]): Promise<void> {
  await queue.addBulk(runs.map((run) => ({ name: 'run', data: { run }, opts: { jobId: run, attempts: 1 } })));
}

/** Runs that have a job waiting or being worked on. */
async function runsWithJobs(queue: Queue<RunJob>): Promise<Set<string>> {
  const jobs = await queue.getJobs([...PENDING], 0, -1);
  return new Set(jobs.filter(Boolean).map((job) => job.data.run));
}

async function dropPendingJobs(queue: Queue<RunJob>, run: string): Promise<void> {
  for (const job of await queue.getJobs(['waiting', 'delayed', 'prioritized'], 0, -1)) {
    if (job?.data.run === run) await job.remove().catch(() => undefined);
  }
}

async function settle(store: RunStore, run: string, state: RunState, note: Record<string, unknown>): Promise<RunRecord> {
  await store.appendEvent(run, 'control', note);
  return (await store.update(run, { state, nextAction: nextActionFor(run, state) })) as RunRecord;
}

/**
 * Cancels a run. A running one is stopped by its worker (its sandbox processes are
 * killed through the run's abort signal); this waits up to `waitMs` for that.
 */
export async function cancelRun(ctl: RunControl, id: string, waitMs = 10_000): Promise<RunRecord> {
  const run = await requireRun(ctl.store, id);
  if (run.state === 'completed' || run.state === 'failed' || run.state === 'cancelled') {
    throw new StewardError('E_RUN_STATE', `run ${id} is ${run.state} already; nothing to cancel`);
  }
  await requestCancel(ctl.redis, id);
  await dropPendingJobs(ctl.queue, id);
  if (!(await runLockHolder(ctl.redis, id))) return settle(ctl.store, id, 'cancelled', { action: 'cancel', from: run.state });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const now = await ctl.store.get(id);
    if (now && now.state !== 'running' && now.state !== 'queued') return now;
    await sleep(50);
  }
  return requireRun(ctl.store, id);
}

/**
 * Goes on from the last checkpoint: a failed, cancelled or paused run, a running one
 * whose worker is gone, or a queued one whose job was lost. `only` narrows the states
 * (the dashboard's retry box acts on failed runs only).
 */
export async function resumeRun(ctl: RunControl, id: string, only?: RunState[]): Promise<RunRecord> {
  const run = await requireRun(ctl.store, id);
  if (only && !only.includes(run.state)) throw new StewardError('E_RUN_STATE', `run ${id} is ${run.state}, not ${only.join(' or ')}`);
  if (run.state === 'awaiting_approval') {
    throw new StewardError('E_RUN_STATE', `run ${id} waits for a maintainer's approval, not for a resume`, {
      hint: 'tick its approve box on the maintenance dashboard (.steward/tracker/dashboard.md)',
    });
  }
  if (run.state === 'completed') throw new StewardError('E_RUN_STATE', `run ${id} completed; nothing to resume`, { hint: `steward runs replay ${id} runs it again` });
  if ((run.state === 'queued' && (await runsWithJobs(ctl.queue)).has(id)) || (run.state === 'running' && (await runLockHolder(ctl.redis, id)))) {
    throw new StewardError('E_RUN_STATE', `run ${id} is ${run.state} already`);
  }
  await clearCancel(ctl.redis, id);
  const paused = run.state === 'paused';
  const updated = await settle(ctl.store, id, 'queued', { action: 'resume', from: run.state });
  await enqueueRun(ctl.queue, id, paused ? { decision: 'continue' } : undefined, false, paused ? await waitingInterrupt(ctl.store, id) : undefined);
  return updated;
}

/** A person's answer to a run waiting for approval, as `answerRun` gives it and the worker records it (`answered` events). */
export interface Decision {
  decision: 'approve' | 'reject';
  by: string;
  reason?: string;
}

const answeredSchema = z.object({ answer: z.object({ decision: z.enum(['approve', 'reject']), by: z.string(), reason: z.string().optional() }) });

/** The decision an `answered` event's data holds; undefined for another answer (a "continue") or none. */
export function decisionOf(data: unknown): Decision | undefined {
  const parsed = answeredSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const { decision, by, reason } = parsed.data.answer;
  return { decision, by, ...(reason ? { reason } : {}) };
}

/**
 * A person's answer to a run waiting for one (approve or reject a proposal): the run
 * goes on with it. `interrupt`, when given, is the question the person saw; an answer
 * to an older one is refused.
 */
export async function answerRun(ctl: RunControl, id: string, answer: Decision, interrupt?: string): Promise<RunRecord> {
  const run = await requireRun(ctl.store, id);
  if (run.state !== 'awaiting_approval') throw new StewardError('E_RUN_STATE', `run ${id} is ${run.state}; only a run awaiting approval takes an answer`);
  const waiting = await waitingInterrupt(ctl.store, id);
  if (interrupt !== undefined && interrupt !== waiting) throw new StewardError('E_RUN_STATE', `run ${id} waits on another question now than the one answered`);
  const updated = await settle(ctl.store, id, 'queued', { action: answer.decision, by: answer.by, ...(answer.reason ? { reason: answer.reason } : {}) });
  await enqueueRun(ctl.queue, id, answer, false, waiting);
  return updated;
}

export interface CheckpointInfo {
  id: string;
  step: number;
  next: string[];
  at: string;
}

/** A run's checkpoints, oldest first: where `replay --from` may start. */
export async function listCheckpoints(saver: BaseCheckpointSaver, run: string): Promise<CheckpointInfo[]> {
  const out: CheckpointInfo[] = [];
  // The root graph's checkpoints only: a subgraph's (another namespace) cannot start a run.
  for await (const tuple of saver.list({ configurable: { thread_id: run, checkpoint_ns: '' } })) {
    out.push({ id: tuple.checkpoint.id, step: tuple.metadata?.step ?? -1, next: nextOf(tuple), at: tuple.checkpoint.ts });
  }
  return out.reverse();
}

/** The nodes a checkpoint runs next: LangGraph keeps a `branch:to:<node>` value for each one triggered and not yet run. */
function nextOf(tuple: CheckpointTuple): string[] {
  return Object.keys(tuple.checkpoint.channel_values)
    .filter((channel) => channel.startsWith('branch:to:'))
    .map((channel) => channel.slice('branch:to:'.length));
}

/**
 * A new run from one of another run's checkpoints (`from`: a checkpoint id, or a node
 * name for the checkpoint before that node first ran, so a node the run went back to,
 * a search round, is replayed from its first turn; default: the run's start).
 */
export async function replayRun(ctl: RunControl, saver: BaseCheckpointSaver, id: string, from?: string): Promise<RunRecord> {
  const run = await requireRun(ctl.store, id);
  const checkpoints = await listCheckpoints(saver, id);
  if (checkpoints.length === 0) throw new StewardError('E_RUN_STATE', `run ${id} has no checkpoint to replay from (it never started)`);
  const chosen = from === undefined ? checkpoints[0] : (checkpoints.find((c) => c.id === from) ?? checkpoints.find((c) => c.next.includes(from)));
  if (!chosen) {
    throw new StewardError('E_USAGE', `run ${id} has no checkpoint "${from ?? ''}"`, { hint: `steward runs show ${id} lists its checkpoints and the node each runs next` });
  }
  const tuple = await saver.getTuple({ configurable: { thread_id: id, checkpoint_ns: '', checkpoint_id: chosen.id } });
  if (!tuple) throw new StewardError('E_RUN_STATE', `checkpoint ${chosen.id} of run ${id} is gone`);
  const copy = newRunId();
  // Every channel counts as new: a saver that keeps values apart from the checkpoint (Postgres) writes them all.
  await saver.put(
    { configurable: { thread_id: copy, checkpoint_ns: '' } },
    tuple.checkpoint,
    { source: 'fork', step: tuple.metadata?.step ?? -1, parents: {} },
    tuple.checkpoint.channel_versions,
  );
  const created = await ctl.store.create({
    id: copy,
    plugin: run.plugin,
    group: run.group,
    trigger: 'replay',
    state: 'queued',
    playbook: run.playbook,
    playbookHash: run.playbookHash,
    fixer: run.fixer,
    model: run.model,
    stopAfter: run.stopAfter,
    nextAction: nextActionFor(copy, 'queued'),
  });
  await ctl.store.appendEvent(copy, 'replayed-from', { run: id, checkpoint: chosen.id, step: chosen.step, next: chosen.next });
  await enqueueRun(ctl.queue, copy, undefined, true);
  return created;
}

/**
 * Start-up recovery: a run left `running` with no live lock lost its worker, and a
 * `queued` one may have lost its job (a crash between record and enqueue). Each gets a
 * job again unless one is pending; the executor resumes it from its last checkpoint,
 * or fails it when it died too often.
 */
export async function recoverRuns(ctl: RunControl): Promise<{ resumed: string[]; requeued: string[] }> {
  const pending = await runsWithJobs(ctl.queue);
  const resumed: string[] = [];
  const requeued: string[] = [];
  for (const run of await ctl.store.active()) {
    if (pending.has(run.id)) continue;
    if (run.state === 'running' && !(await runLockHolder(ctl.redis, run.id))) {
      await enqueueRun(ctl.queue, run.id);
      resumed.push(run.id);
    } else if (run.state === 'queued') {
      await enqueueRun(ctl.queue, run.id);
      requeued.push(run.id);
    }
  }
  return { resumed, requeued };
}
