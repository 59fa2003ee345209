import { DelayedError, Worker, type Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../core/logger.ts';
import { openQueue } from '../ingest/queues.ts';
import type { Library } from '../library/library.ts';
import { connect, QUEUE_PREFIX } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import type { AgentDefinition } from './agent.ts';
import { recoverRuns, type RunControl } from './control.ts';
import { openCheckpointer, openRunStore } from './database.ts';
import { executeRun, type ExecuteOutcome, type RunJob, type StopReason } from './executor.ts';
import { CANCEL_CHANNEL } from './locks.ts';

export const RUNS_QUEUE = 'runs';

export interface RunningRunWorker {
  owner: string;
  recovered: { resumed: string[]; requeued: string[] };
  /** Stops running graphs at their next step boundary (their sandboxes are killed), leaves them queued, and closes. */
  close(): Promise<void>;
}

/**
 * The BullMQ worker on the runs queue. Any number may run, on one machine or many:
 * a run's Redis lock keeps it on one worker at a time, and a worker that dies leaves
 * the lock to expire and the job to be taken back by BullMQ's stalled-job check.
 */
export async function startRunWorker(target: RedisTarget, library: Library, options: { agent: AgentDefinition; log: Logger; concurrency?: number }): Promise<RunningRunWorker> {
  const { workers } = library.config;
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const lockMs = workers.runLockSeconds * 1000;
  const store = openRunStore(library);
  const checkpointer = openCheckpointer(library);
  const redis = connect(target, 'runs');
  const subscriber = connect(target, 'runs-cancel');
  const workerConnection = connect(target, 'runs-worker');
  const queue = openQueue<RunJob>(RUNS_QUEUE, redis);
  const control: RunControl = { store, queue, redis };
  const controllers = new Map<string, AbortController>();

  subscriber.on('message', (_channel: string, run: string) => controllers.get(run)?.abort('cancel' satisfies StopReason));
  await subscriber.subscribe(CANCEL_CHANNEL);
  const recovered = await recoverRuns(control);
  if (recovered.resumed.length + recovered.requeued.length > 0) options.log.info(recovered, 'runs recovered at start-up');

  const deps = { library, store, redis, agent: options.agent, checkpointer, owner, lockMs, maxResumes: workers.maxResumes, log: options.log };
  const processJob = async (job: Job<RunJob>, token?: string): Promise<ExecuteOutcome> => {
    const controller = new AbortController();
    const mine = !controllers.has(job.data.run);
    if (mine) controllers.set(job.data.run, controller);
    try {
      const outcome = await executeRun(job.data, deps, controller);
      if (outcome === 'locked' || outcome === 'stopped-for-shutdown') {
        // Another worker has the run, or this one is stopping: look again later, without spending an attempt.
        await job.moveToDelayed(Date.now() + (outcome === 'locked' ? lockMs : 500), token);
        throw new DelayedError();
      }
      return outcome;
    } finally {
      if (mine) controllers.delete(job.data.run);
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

  return {
    owner,
    recovered,
    async close() {
      for (const controller of controllers.values()) controller.abort('shutdown' satisfies StopReason);
      await worker.close();
      await subscriber.quit().catch(() => undefined);
      await queue.close();
      for (const client of [redis, subscriber, workerConnection]) client.disconnect();
      store.close();
      checkpointer.db.close();
      await options.agent.close?.();
    },
  };
}
