import { messageOf } from '../core/errors.ts';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from '../core/logger.ts';
import { workerId } from '../core/worker-id.ts';
import { openQueue } from '../ingest/queues.ts';
import type { Library } from '../library/library.ts';
import { connect, KEY_PREFIX, QUEUE_PREFIX } from '../redis/connection.ts';
import { withLock } from '../redis/lock.ts';
import type { RedisTarget } from '../redis/server.ts';
import type { AgentDefinition } from './agent.ts';
import { recoverRuns, type RunControl } from './control.ts';
import { openCheckpointer, openRunStore } from './database.ts';
import { executeRun, type ExecuteOutcome, type RunJob, type RunStateChange, type StopReason } from './execute-run.ts';
import { CANCEL_CHANNEL } from './locks.ts';

export const RUNS_QUEUE = 'runs';

export interface RunningRunExecutor {
  owner: string;
  recovered: { resumed: string[]; requeued: string[] };
  /** Stops running graphs (their sandboxes are killed through the run's signal), leaves them queued, and closes. */
  close(): Promise<void>;
}

/**
 * The BullMQ worker on the runs queue. Any number may share it (on one machine while
 * the state database is SQLite):
 * a run's Redis lock keeps it on one worker at a time, and a worker that dies leaves
 * the lock to expire and the job to be taken back by BullMQ's stalled-job check.
 */
export async function startRunExecutor(
  target: RedisTarget,
  library: Library,
  options: { agent: AgentDefinition; log: Logger; concurrency?: number; onState?: (change: RunStateChange) => void },
): Promise<RunningRunExecutor> {
  const { workers } = library.config;
  const owner = workerId();
  const lockMs = workers.runLockSeconds * 1000;
  const opened: (() => unknown)[] = [];
  const closeOpened = async (): Promise<void> => {
    for (const close of opened.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        options.log.warn({ err: messageOf(error) }, 'closing the runs worker');
      }
    }
  };
  try {
    const store = openRunStore(library);
    opened.push(() => store.close());
    const checkpointer = openCheckpointer(library);
    opened.push(() => checkpointer.close());
    const redis = connect(target, 'runs');
    const subscriber = connect(target, 'runs-cancel');
    const workerConnection = connect(target, 'runs-worker');
    opened.push(() => [redis, subscriber, workerConnection].forEach((client) => client.disconnect()));
    const queue = openQueue<RunJob>(RUNS_QUEUE, redis);
    opened.push(() => queue.close());
    const control: RunControl = { store, queue, redis };
    // Every job in flight, per run: a cancel or a shutdown reaches all of them.
    const controllers = new Map<string, Set<AbortController>>();
    let closing = false;

    subscriber.on('message', (_channel: string, run: string) => {
      for (const controller of controllers.get(run) ?? []) controller.abort('cancel' satisfies StopReason);
    });
    await subscriber.subscribe(CANCEL_CHANNEL);
    const recovered = await recoverRuns(control);
    if (recovered.resumed.length + recovered.requeued.length > 0) options.log.info(recovered, 'runs recovered at start-up');
    // Not only at start-up: a run can lose its job while every worker keeps running.
    const recovery = setInterval(
      () => {
        void withLock(redis, `${KEY_PREFIX}runs:recovery`, owner, lockMs, () => recoverRuns(control)).catch((error: unknown) =>
          options.log.warn({ err: messageOf(error) }, 'run recovery'),
        );
      },
      Math.max(10_000, 2 * lockMs),
    );
    opened.push(() => clearInterval(recovery));

    const deps = {
      library,
      store,
      redis,
      agent: options.agent,
      checkpointer,
      owner,
      lockMs,
      maxResumes: workers.maxResumes,
      log: options.log,
      ...(options.onState ? { onState: options.onState } : {}),
    };
    const later = async (job: Job<RunJob>, token: string | undefined, ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };
    const processJob = async (job: Job<RunJob>, token?: string): Promise<ExecuteOutcome> => {
      // BullMQ may hand over a job it fetched before close(): leave it for the next worker.
      if (closing) return later(job, token, 500);
      const controller = new AbortController();
      const mine = controllers.get(job.data.run) ?? new Set<AbortController>();
      mine.add(controller);
      controllers.set(job.data.run, mine);
      try {
        const outcome = await executeRun(job.data, deps, controller);
        // Another worker has the run, or this one is stopping: look again later, without spending an attempt.
        if (outcome === 'locked') return later(job, token, lockMs);
        if (outcome === 'stopped-for-shutdown') return later(job, token, 500);
        return outcome;
      } finally {
        mine.delete(controller);
        if (mine.size === 0) controllers.delete(job.data.run);
      }
    };
    const worker = new Worker<RunJob, ExecuteOutcome>(RUNS_QUEUE, processJob, {
      connection: workerConnection,
      prefix: QUEUE_PREFIX,
      concurrency: options.concurrency ?? workers.runConcurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // The executor applies the resume policy (workers.maxResumes); BullMQ must not fail the job first.
      maxStalledCount: workers.maxResumes + 2,
    });
    worker.on('error', (error) => options.log.error({ err: error.message }, 'run worker error'));
    opened.push(() => worker.close());
    opened.push(() => subscriber.quit().catch(() => undefined));

    return {
      owner,
      recovered,
      async close() {
        closing = true;
        for (const set of controllers.values()) for (const controller of set) controller.abort('shutdown' satisfies StopReason);
        await closeOpened();
        await options.agent.close?.();
      },
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
