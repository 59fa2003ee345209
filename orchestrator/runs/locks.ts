import type { Redis } from 'ioredis';
import { KEY_PREFIX } from '../redis/connection.ts';

/** The key of a run's lock (see redis/lock.ts): the worker holding it executes the run. */
export const runLockKey = (run: string): string => `${KEY_PREFIX}run:${run}:lock`;
const cancelKey = (run: string): string => `${KEY_PREFIX}run:${run}:cancel`;

/** Workers listen here; the one executing the run stops it. */
export const CANCEL_CHANNEL = `${KEY_PREFIX}runs:cancel`;

export async function runLockHolder(redis: Redis, run: string): Promise<string | null> {
  return redis.get(runLockKey(run));
}

/** Marks the run cancelled for whoever picks it up next, and tells the worker running it now. */
export async function requestCancel(redis: Redis, run: string): Promise<void> {
  await redis.set(cancelKey(run), '1', 'EX', 86_400);
  await redis.publish(CANCEL_CHANNEL, run);
}

export async function cancelRequested(redis: Redis, run: string): Promise<boolean> {
  return (await redis.exists(cancelKey(run))) === 1;
}

export async function clearCancel(redis: Redis, run: string): Promise<void> {
  await redis.del(cancelKey(run));
}
