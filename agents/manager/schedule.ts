import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '../../orchestrator/redis/connection.ts';

export const SCHEDULER_ID = 'triage';
export const PRUNE_SCHEDULER_ID = 'prune';
export const REVIEW_SYNC_SCHEDULER_ID = 'review-sync';

/**
 * The scheduled triage: one BullMQ job scheduler on the triage queue, from the
 * config's cron. Of the workers starting within a minute, one upserts it.
 */
export async function ensureTriageSchedule(
  queue: Queue,
  redis: Redis,
  cron: string,
  owner: string,
  pruneCron = 'off',
  reviewSyncCron = 'off',
): Promise<'upserted' | 'removed' | 'left-to-another'> {
  if ((await redis.set(`${KEY_PREFIX}triage:scheduler`, owner, 'EX', 60, 'NX')) !== 'OK') return 'left-to-another';
  // The daily prune and the review sync ride on the same queue and the same once-per-minute election.
  if (pruneCron === 'off') await queue.removeJobScheduler(PRUNE_SCHEDULER_ID);
  else await queue.upsertJobScheduler(PRUNE_SCHEDULER_ID, { pattern: pruneCron }, { name: 'prune', data: { prune: true } });
  if (reviewSyncCron === 'off') await queue.removeJobScheduler(REVIEW_SYNC_SCHEDULER_ID);
  else await queue.upsertJobScheduler(REVIEW_SYNC_SCHEDULER_ID, { pattern: reviewSyncCron }, { name: 'review-sync', data: { reviewSync: true } });
  if (cron === 'off') {
    await queue.removeJobScheduler(SCHEDULER_ID);
    return 'removed';
  }
  await queue.upsertJobScheduler(SCHEDULER_ID, { pattern: cron }, { name: 'scheduled', data: { scheduled: true } });
  return 'upserted';
}
