import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import { libraryRedis, redisStatus, type RedisTarget } from '../redis/server.ts';
import { CAPTURE_DROPS_KEY } from './capture.ts';
import { GroupStore } from './groups.ts';
import { eventJobId, openQueue, QUEUES, type DeadLetter } from './queues.ts';

/** What the CLI's read-only error commands need: the groups and the dead letters. */
export async function openErrors(library: Library): Promise<{
  target: RedisTarget;
  groups: GroupStore;
  deadLetters: () => Promise<Job<DeadLetter>[]>;
  requeue: (jobs: Job<DeadLetter>[]) => Promise<number>;
  close: () => Promise<void>;
}> {
  const target = await libraryRedis(library);
  const redis = connect(target, 'cli');
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  const errors = openQueue<unknown>(QUEUES.errors, redis);
  return {
    target,
    groups: new GroupStore(redis),
    deadLetters: () => dead.getJobs(['waiting', 'delayed', 'completed', 'failed'], 0, -1, true),
    async requeue(jobs) {
      let moved = 0;
      for (const job of jobs) {
        const raw = job.data.raw;
        // Text that was never JSON cannot be an event however often it is tried.
        if (typeof raw === 'object' && raw !== null && !('truncated' in raw)) {
          const id = (raw as { id?: unknown }).id;
          await errors.add('event', raw, typeof id === 'string' && id ? { jobId: `${eventJobId(id)}-requeued-${Date.now()}` } : {});
          moved++;
        }
        await job.remove();
      }
      return moved;
    },
    async close() {
      await Promise.all([dead.close(), errors.close()]);
      redis.disconnect();
    },
  };
}

/** Waits until the errors queue holds nothing waiting or active. */
export async function waitForDrain(target: RedisTarget, timeoutMs: number, onProgress?: (left: number) => void): Promise<boolean> {
  const redis = connect(target, 'drain');
  const errors = openQueue<unknown>(QUEUES.errors, redis);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await errors.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const left = Object.values(counts).reduce((a, b) => a + b, 0);
      onProgress?.(left);
      if (left === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(100);
    }
  } finally {
    await errors.close();
    redis.disconnect();
  }
}

/** What capture SDKs dropped, by reason, as they reported it to Redis; empty when Redis is not running. */
export async function captureDrops(library: Library): Promise<Record<string, number>> {
  const running = await redisStatus(library.paths.state);
  if (!running.running) return {};
  const redis = connect(await libraryRedis(library), 'status');
  try {
    const tally = await redis.hgetall(CAPTURE_DROPS_KEY);
    return Object.fromEntries(Object.entries(tally).map(([reason, count]) => [reason, Number(count)]));
  } finally {
    redis.disconnect();
  }
}
