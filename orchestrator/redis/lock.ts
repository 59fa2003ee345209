import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * A lock held by `owner` that expires unless renewed, so a holder killed with -9
 * frees it by itself. Only the owner renews or releases it.
 */
async function acquireLock(redis: Redis, key: string, owner: string, ms: number): Promise<boolean> {
  return (await redis.set(key, owner, 'PX', ms, 'NX')) === 'OK';
}

async function renewLock(redis: Redis, key: string, owner: string, ms: number): Promise<boolean> {
  return (await redis.eval(RENEW, 1, key, owner, String(ms))) === 1;
}

async function releaseLock(redis: Redis, key: string, owner: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner);
}

export interface HeldLock {
  /** This acquisition's own value: a later holder of the same key has another. */
  token: string;
  /** Whether the lock is still this acquisition's (false once it expired and someone took it). */
  stillHeld(): Promise<boolean>;
}

/**
 * Runs `fn` under the lock, renewed while it runs, with a token of its own (so two
 * acquisitions by one owner never renew or release each other's). When a renewal
 * finds the lock gone (this process stalled past its expiry), `onLost` is called:
 * someone else may hold it now. Undefined when someone else holds it at the start.
 */
export async function withLock<T>(
  redis: Redis,
  key: string,
  owner: string,
  ms: number,
  fn: (held: HeldLock) => Promise<T>,
  onLost?: () => void,
): Promise<{ value: T } | undefined> {
  const token = `${owner}:${randomBytes(6).toString('hex')}`;
  if (!(await acquireLock(redis, key, token, ms))) return undefined;
  let lost = false;
  const timer = setInterval(
    () => {
      void renewLock(redis, key, token, ms).then(
        (renewed) => {
          if (!renewed && !lost) {
            lost = true;
            onLost?.();
          }
        },
        () => undefined,
      );
    },
    Math.max(200, Math.floor(ms / 3)),
  );
  const held: HeldLock = { token, stillHeld: async () => !lost && (await redis.get(key)) === token };
  try {
    return { value: await fn(held) };
  } finally {
    clearInterval(timer);
    await releaseLock(redis, key, token).catch(() => undefined);
  }
}
