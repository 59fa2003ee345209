import { DelayedError, Worker, type Job } from 'bullmq';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { QUEUES, type TriageJob } from '../../orchestrator/ingest/queues.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect, KEY_PREFIX, QUEUE_PREFIX } from '../../orchestrator/redis/connection.ts';
import { withLock } from '../../orchestrator/redis/lock.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import { pruneLibrary } from '../../orchestrator/maintenance/open.ts';
import type { PruneReport } from '../../orchestrator/maintenance/prune.ts';
import { triageOnce } from './triage.ts';
import { openReviewSync, syncReviews, type SyncReport } from '../plugin-agent/index.ts';
import { openManager } from './open.ts';

const LOCK = `${KEY_PREFIX}triage:lock`;
const LAST_PASS = `${KEY_PREFIX}triage:last-pass`;

/** A triage job: a group from ingest (`group`), the scheduler's tick (`scheduled`), the daily prune, or the review sync. */
type TriageQueueJob = TriageJob | { scheduled: true } | { prune: true } | { reviewSync: true };

type TriageOutcome = { pass: 'covered' } | { pass: 'done'; dispatched: number; held: number } | { pruned: PruneReport } | { synced: SyncReport };

/**
 * The worker on the triage queue. One pass at a time across all workers (a Redis
 * lock): two passes at once could both give one plugin a run. A group's job that
 * arrived before a successful pass started is covered by it, so a burst of new groups costs one
 * or two passes, not one each.
 */
export async function startTriageConsumer(target: RedisTarget, library: Library, options: { owner: string; log: Logger; runTests: boolean }): Promise<{ close(): Promise<void> }> {
  const deps = await openManager(library, { runTests: options.runTests, target });
  const connection = connect(target, 'triage-worker');
  const processJob = async (job: Job<TriageQueueJob>, token?: string): Promise<TriageOutcome> => {
    if ('prune' in job.data) {
      const pruned = await pruneLibrary(library, target);
      options.log.info({ pruned }, 'scheduled prune');
      return { pruned };
    }
    if ('reviewSync' in job.data) {
      const reviews = await openReviewSync(library, options.log.child({ job: 'review-sync' }));
      try {
        const synced = await syncReviews(reviews);
        options.log.info({ decided: synced.decided.length, settled: synced.settled.length, waiting: synced.notBroughtIn.length }, 'scheduled review sync');
        return { synced };
      } finally {
        await reviews.close();
      }
    }
    const scheduled = 'scheduled' in job.data;
    if (!scheduled && Number((await deps.redis.get(LAST_PASS)) ?? 0) > job.timestamp) return { pass: 'covered' };
    const held = await withLock(deps.redis, LOCK, options.owner, 60_000, async () => {
      const started = Date.now();
      const state = await triageOnce(deps, scheduled ? 'schedule' : 'ingest');
      // Only a pass that succeeded covers the jobs that arrived before it started.
      await deps.redis.set(LAST_PASS, String(started));
      return state;
    });
    if (!held) {
      await job.moveToDelayed(Date.now() + 1000, token);
      throw new DelayedError();
    }
    options.log.info({ dispatched: held.value.dispatched.length, held: held.value.held.length }, 'triage pass');
    return { pass: 'done', dispatched: held.value.dispatched.length, held: held.value.held.length };
  };
  const worker = new Worker<TriageQueueJob, TriageOutcome>(QUEUES.triage, processJob, {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 1,
    lockDuration: 60_000,
  });
  worker.on('error', (error) => options.log.error({ err: error.message }, 'triage worker error'));
  return {
    async close() {
      await worker.close();
      connection.disconnect();
      await deps.close();
    },
  };
}
