import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A lock held by `owner` that expires unless renewed, so a holder killed with -9
 * frees it by itself. Only the owner renews or releases it.
 */
export async function acquireLock(redis: Redis, key: string, owner: string, ms: number): Promise<boolean> {
  return (await redis.set(key, owner, 'PX', ms, 'NX')) === 'OK';
}

export async function renewLock(redis: Redis, key: string, owner: string, ms: number): Promise<boolean> {
  return (await redis.eval(RENEW, 1, key, owner, String(ms))) === 1;
}

export async function releaseLock(redis: Redis, key: string, owner: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner);
}

/** Runs `fn` under the lock, renewed while it runs; undefined when someone else holds it. */
export async function withLock<T>(redis: Redis, key: string, owner: string, ms: number, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  if (!(await acquireLock(redis, key, owner, ms))) return undefined;
  const timer = setInterval(() => void renewLock(redis, key, owner, ms).catch(() => undefined), Math.max(200, Math.floor(ms / 3)));
  try {
    return { value: await fn() };
  } finally {
    clearInterval(timer);
    await releaseLock(redis, key, owner).catch(() => undefined);
  }
}
