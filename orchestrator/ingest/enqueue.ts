import { messageOf } from '../core/errors.ts';
import { withTimeout } from '../core/timeout.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import type { ErrorEvent } from './event.ts';
import { eventJobId, openQueue, QUEUES } from './queues.ts';
import { scrubEvent } from './scrub.ts';

export interface EnqueueResult {
  /** Events Redis confirmed as queued. */
  queued: number;
  total: number;
  /** The events not confirmed, by their index in the list, in order. */
  notQueued: number[];
  /** Why the rest was not queued. */
  error?: string;
}

/**
 * Queues a list of events, each one on its own (one job is one script: Redis runs it
 * whole or refuses it), a window of them in flight at a time, and stops at the first
 * failure, so the caller knows exactly which were queued. Unlike the capture SDK it
 * never buffers: a command that exits must say what it did. Event ids are job ids, so
 * sending the same list again queues only what is missing.
 */
export async function enqueueEvents(
  target: RedisTarget,
  events: readonly ErrorEvent[],
  options: { window?: number; timeoutMs?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<EnqueueResult> {
  const connection = connect(target, 'enqueue');
  const queue = openQueue<ErrorEvent>(QUEUES.errors, connection);
  const confirmed = new Array<boolean>(events.length).fill(false);
  let queued = 0;
  let next = 0;
  let error: string | undefined;
  const lane = async (): Promise<void> => {
    while (error === undefined && next < events.length) {
      const index = next++;
      const event = scrubEvent(events[index] as ErrorEvent);
      try {
        await withTimeout(queue.add('event', event, { jobId: eventJobId(event.id) }), options.timeoutMs ?? 5000, 'queueing an event');
        confirmed[index] = true;
        options.onProgress?.(++queued, events.length);
      } catch (failure) {
        error ??= messageOf(failure);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.window ?? 64 }, lane));
  } finally {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  }
  const notQueued = confirmed.flatMap((ok, i) => (ok ? [] : [i]));
  return { queued, total: events.length, notQueued, ...(error !== undefined ? { error } : {}) };
}
