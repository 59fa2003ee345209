import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger } from '../core/logger.ts';
import { isStewardError, messageOf } from '../core/errors.ts';
import { withTimeout } from '../core/timeout.ts';
import { connect, KEY_PREFIX } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { buildErrorEvent, describeError } from './build-event.ts';
import type { CaptureSink } from './sink.ts';
import type { ErrorEvent } from './event.ts';
import { eventJobId, openQueue, QUEUES } from './queues.ts';
import { scrubEvent } from './scrub.ts';
import { TrafficStore, type TrafficOutcome } from './traffic.ts';

export interface CaptureContext {
  plugin: string;
  version: string;
  invocation?: { operation?: string; input?: unknown };
  level?: ErrorEvent['level'];
  tags?: Record<string, string>;
  environment?: string;
  /** The plugin's secret values, scrubbed before the event leaves this process. */
  secrets?: readonly string[];
}

/** Why an event was not queued. */
export type DropReason = 'buffer-full' | 'redis-full' | 'shutdown' | 'malformed';

export interface CaptureStats {
  sent: number;
  buffered: number;
  dropped: number;
  droppedBy: Record<DropReason, number>;
}

/** Redis hash of events capture SDKs dropped, by reason, across processes: `steward status` shows it. */
export const CAPTURE_DROPS_KEY = `${KEY_PREFIX}capture:dropped`;

/** Traffic samples waiting on Redis at most; past it a sample is dropped, never queued in memory. */
const TRAFFIC_PENDING_LIMIT = 1000;

/** Redis at its maxmemory with noeviction refuses writes: waiting would not free room. */
function refusedForMemory(error: unknown): boolean {
  return error instanceof Error && /\bOOM\b/.test(error.message);
}

/**
 * The capture SDK for plugin hosts. It builds the event, scrubs it before it leaves
 * the process, and queues it with the event id as the job id, so a retry is never
 * a second event. It never throws into its caller: while Redis is unreachable events
 * wait in a bounded buffer, and what the buffer cannot hold is counted as dropped.
 */
export class Capture implements CaptureSink {
  private readonly queue: Queue<ErrorEvent>;
  private readonly connection: Redis;
  private readonly buffer: ErrorEvent[] = [];
  private readonly stats: CaptureStats = { sent: 0, buffered: 0, dropped: 0, droppedBy: { 'buffer-full': 0, 'redis-full': 0, shutdown: 0, malformed: 0 } };
  /** Whether the last send failed, so an outage is logged once, when it starts and when it ends. */
  private failing = false;
  /** Drops not yet added to Redis's tally (steward status reads it), sent when Redis takes writes. */
  private unreported: Partial<Record<DropReason, number>> = {};
  /** Callers of captureQueued waiting for their event. */
  private readonly waiters = new Map<ErrorEvent, (queued: boolean) => void>();
  private flushing: Promise<void> | undefined;
  private inFlight = 0;
  private closed = false;
  private readonly traffic: TrafficStore;
  private trafficPending = 0;
  /** Whether the last traffic sample failed, so a failure is logged once, not per call. */
  private trafficFailing = false;

  private readonly log: Logger;

  constructor(
    target: RedisTarget,
    private readonly options: {
      bufferSize?: number;
      sendTimeoutMs?: number;
      environment?: string;
      onDrop?: (dropped: number, reason: DropReason) => void;
      logger?: Logger;
      /** The library's `traffic` config, for captureTraffic. */
      traffic?: { sampleSize?: number; maxInputBytes?: number };
    } = {},
  ) {
    this.connection = connect(target, 'capture');
    this.queue = openQueue<ErrorEvent>(QUEUES.errors, this.connection);
    this.log = options.logger ?? createLogger({ component: 'capture' });
    this.traffic = new TrafficStore(this.connection, options.traffic);
  }

  /**
   * Offers one successful call to the traffic sample (kept, scrubbed, as a regression
   * oracle; see traffic.ts), scrubbed with the plugin's secret values before it leaves
   * the process. Never throws: it resolves with what the sample did, or `dropped` when
   * the call could not be offered (Redis away past `sendTimeoutMs`, too many waiting,
   * closed, or a value that is not JSON). A host calls it without awaiting.
   */
  async captureTraffic(
    sample: { plugin: string; version: string; input: unknown; output: unknown; at?: string },
    secrets: readonly string[] = [],
  ): Promise<TrafficOutcome | 'dropped'> {
    if (this.closed || this.trafficPending >= TRAFFIC_PENDING_LIMIT) return 'dropped';
    this.trafficPending++;
    try {
      const outcome = await withTimeout(this.traffic.record(sample, secrets), this.options.sendTimeoutMs ?? 3000, 'recording a traffic sample');
      if (this.trafficFailing) this.log.warn({ plugin: sample.plugin }, 'capture: traffic samples are recorded again');
      this.trafficFailing = false;
      return outcome;
    } catch (error) {
      // A bad name or version, or a value JSON cannot hold (circular, BigInt), is this sample's fault, not an outage: logged each time.
      if (isStewardError(error) || error instanceof TypeError) {
        this.log.warn({ plugin: sample.plugin, reason: messageOf(error) }, 'capture: malformed traffic sample dropped');
        return 'dropped';
      }
      if (!this.trafficFailing)
        this.log.warn({ plugin: sample.plugin, reason: messageOf(error) }, 'capture: traffic sample dropped; further failures are not logged until one succeeds');
      this.trafficFailing = true;
      return 'dropped';
    } finally {
      this.trafficPending--;
    }
  }

  /** Builds, scrubs and queues one event; returns its id. Never throws. */
  captureError(error: unknown, context: CaptureContext): string | undefined {
    try {
      const event = buildErrorEvent({
        plugin: context.plugin,
        version: context.version,
        environment: context.environment ?? this.options.environment ?? 'production',
        level: context.level ?? 'error',
        error: describeError(error),
        ...(context.invocation?.operation !== undefined ? { operation: context.invocation.operation } : {}),
        ...(context.invocation && 'input' in context.invocation ? { input: context.invocation.input } : {}),
        ...(context.tags ? { tags: context.tags } : {}),
      });
      this.capture(event, context.secrets);
      return event.id;
    } catch {
      this.drop('malformed');
      return undefined;
    }
  }

  private drop(reason: DropReason, count = 1): void {
    if (count <= 0) return;
    this.stats.dropped += count;
    this.stats.droppedBy[reason] += count;
    this.unreported[reason] = (this.unreported[reason] ?? 0) + count;
    this.options.onDrop?.(this.stats.dropped, reason);
  }

  /** Adds the drops since the last report to Redis's tally; kept for the next try if Redis is away. */
  private async reportDrops(): Promise<void> {
    const pending = Object.entries(this.unreported) as [DropReason, number][];
    if (pending.length === 0) return;
    this.unreported = {};
    const multi = this.connection.multi();
    for (const [reason, count] of pending) multi.hincrby(CAPTURE_DROPS_KEY, reason, count);
    try {
      await withTimeout(multi.exec(), this.options.sendTimeoutMs ?? 3000, 'reporting dropped events');
    } catch {
      for (const [reason, count] of pending) this.unreported[reason] = (this.unreported[reason] ?? 0) + count;
    }
  }

  /** An already built event, buffered and sent in the background. Never throws, never waits. */
  capture(event: ErrorEvent, secrets: readonly string[] = []): void {
    this.enqueue(event, secrets);
  }

  /**
   * As `capture`, and resolves once the event is in the queue (true), or was dropped, or
   * `timeoutMs` passed (false). While Redis is known to be away it does not wait: the
   * plugin host answers its callers at once and the event waits in the buffer.
   */
  async captureQueued(event: ErrorEvent, secrets: readonly string[] = [], timeoutMs = 2000): Promise<boolean> {
    const buffered = this.enqueue(event, secrets);
    if (!buffered || this.failing) return false;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (queued: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(buffered);
        resolve(queued);
      };
      this.waiters.set(buffered, settle);
    });
  }

  private settle(events: readonly ErrorEvent[], queued: boolean): void {
    for (const event of events) this.waiters.get(event)?.(queued);
  }

  private enqueue(event: ErrorEvent, secrets: readonly string[]): ErrorEvent | undefined {
    if (this.closed) {
      this.drop('shutdown');
      return undefined;
    }
    const limit = this.options.bufferSize ?? 10_000;
    if (this.buffer.length + this.inFlight >= limit) {
      // The oldest unsent event goes: the newest says more about what is wrong now. Events
      // being sent stay; if all are being sent, the new one is the one that cannot wait.
      this.drop('buffer-full');
      if (this.buffer.length === 0) return undefined;
      this.settle(this.buffer.splice(0, 1), false);
    }
    let scrubbed: ErrorEvent;
    try {
      scrubbed = scrubEvent(event, secrets);
    } catch {
      // Only a malformed event gets here; the sink never throws into the host.
      this.drop('malformed');
      return undefined;
    }
    this.buffer.push(scrubbed);
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return scrubbed;
  }

  private async drain(): Promise<void> {
    let backoff = 100;
    while (this.buffer.length > 0 && !this.closed) {
      // The batch leaves the buffer before it is sent: a full buffer then drops only unsent events.
      const batch = this.buffer.splice(0, 500);
      this.inFlight = batch.length;
      try {
        await withTimeout(this.queue.addBulk(batch.map((event) => ({ name: 'event', data: event, opts: { jobId: eventJobId(event.id) } }))), this.options.sendTimeoutMs ?? 3000);
        // After close() the batch was already counted as dropped; it is not counted twice.
        if (!this.closed) this.stats.sent += batch.length;
        this.settle(batch, true);
        backoff = 100;
        if (this.failing) this.log.warn({ buffered: this.buffer.length, dropped: this.stats.dropped }, 'capture: Redis takes events again');
        this.failing = false;
        await this.reportDrops();
      } catch (error) {
        this.inFlight = 0;
        if (refusedForMemory(error)) {
          // Redis is full and evicts nothing: the batch is refused and counted, never retried.
          if (!this.closed) this.drop('redis-full', batch.length);
          this.settle(batch, false);
          this.log.error(
            { dropped: batch.length, droppedBy: this.stats.droppedBy },
            'capture: Redis is at its maxmemory; events dropped (run "steward prune", or raise redis.maxMemoryMb)',
          );
          continue;
        }
        // Closed meanwhile: close() counted the batch as dropped.
        if (this.closed) {
          this.settle(batch, false);
          break;
        }
        // Redis is away: the batch goes back in front, and it waits. Job ids make a resend harmless.
        if (!this.failing) this.log.warn({ buffered: this.buffer.length + batch.length, reason: messageOf(error) }, 'capture: Redis unreachable; events wait in the buffer');
        this.failing = true;
        this.buffer.unshift(...batch);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Waits until everything buffered is queued, or `timeoutMs` passes. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length + this.inFlight > 0 && Date.now() < deadline) {
      await Promise.race([this.flushing, sleep(50)]);
    }
    return this.buffer.length + this.inFlight === 0;
  }

  getStats(): CaptureStats {
    return { ...this.stats, droppedBy: { ...this.stats.droppedBy }, buffered: this.buffer.length + this.inFlight };
  }

  /** Flushes for at most `timeoutMs`; what is still unsent then is counted as dropped and logged. */
  async close(timeoutMs = 5000): Promise<CaptureStats> {
    await this.flush(timeoutMs);
    await withTimeout(this.traffic.flush(), timeoutMs, 'counting skipped traffic').catch(() => undefined);
    this.closed = true;
    const left = this.buffer.length + this.inFlight;
    this.drop('shutdown', left);
    this.settle(this.buffer, false);
    this.buffer.length = 0;
    this.inFlight = 0;
    if (this.stats.dropped > 0) {
      this.log.warn({ ...this.getStats() }, `capture: closed with ${this.stats.dropped} event(s) dropped`);
      await this.reportDrops();
    }
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
    return this.getStats();
  }
}
