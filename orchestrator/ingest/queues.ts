import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { log } from '../core/logger.ts';
import { QUEUE_PREFIX } from '../redis/connection.ts';

export const QUEUES = {
  /** Raw events as captured; the ingest worker consumes it. */
  errors: 'errors',
  /** Rejected events with the reason, kept until a person requeues or drops them. */
  dead: 'errors-dead',
  /** Error groups that need the manager's attention. */
  triage: 'triage',
} as const;

export interface DeadLetter {
  reason: string;
  /** JSON path of the offending field, where one is to blame. */
  path?: string;
  /** The event as it arrived (text when it was not JSON), capped at 256 KiB. */
  raw: unknown;
  receivedAt: string;
  source: 'queue' | 'http' | 'sentry' | 'cli';
}

export interface TriageJob {
  group: string;
  plugin: string;
  reason: 'new' | 'regressed' | 'threshold';
}

export function openQueue<T>(name: string, connection: Redis): Queue<T> {
  const queue = new Queue<T>(name, {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
      // Completed jobs are not needed: groups hold what was learned. Failures stay for a look.
      removeOnComplete: true,
      removeOnFail: { count: 10_000 },
    },
  });
  // Without a listener BullMQ prints each connection error with its stack; an outage is
  // reported once by whoever is waiting on Redis (the capture SDK, a command's timeout).
  queue.on('error', (error) => log.debug({ queue: name, err: error.message }, 'queue connection error'));
  return queue;
}

/**
 * The job id of an event: derived from the event id, so a resend is still one job,
 * but never refused by BullMQ, which rejects ids with ":" and ids that are integers.
 */
export function eventJobId(eventId: string): string {
  return `e-${createHash('sha1').update(eventId).digest('hex')}`;
}
