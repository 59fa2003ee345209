import { Redis } from 'ioredis';
import type { RedisTarget } from './server.ts';

/** BullMQ's prefix for steward's queues, and the one for its own keys. */
export const QUEUE_PREFIX = 'steward:q';
export const KEY_PREFIX = 'steward:';

/** A connection for BullMQ workers and blocking calls: retries forever, as BullMQ requires. */
export function connect(target: RedisTarget, name: string): Redis {
  const client = new Redis({ ...target.options, maxRetriesPerRequest: null, connectionName: `steward-${name}` });
  // ioredis reconnects by itself; an unhandled 'error' event would crash the process instead.
  client.on('error', () => undefined);
  return client;
}
