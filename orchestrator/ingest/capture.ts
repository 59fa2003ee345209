import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import type { CaptureSink } from '../host/events.ts';
import type { ErrorEvent } from './event.ts';
import { eventJobId, openQueue, QUEUES } from './queues.ts';
import { scrubEvent } from './scrub.ts';

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

export interface CaptureStats {
  sent: number;
  buffered: number;
  dropped: number;
}

/** Anything thrown, as the spec's error object. */
function describeError(error: unknown): ErrorEvent['error'] {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { type: error.name || 'Error', message: error.message, ...(error.stack ? { stack: error.stack } : {}), ...(code !== undefined ? { code: String(code) } : {}) };
  }
  let message: string;
  try {
    message = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    message = String(error);
  }
  return { type: `thrown ${error === null ? 'null' : typeof error}`, message };
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
  private readonly stats: CaptureStats = { sent: 0, buffered: 0, dropped: 0 };
  private flushing: Promise<void> | undefined;
  private inFlight = 0;
  private closed = false;

  constructor(
    target: RedisTarget,
    private readonly options: { bufferSize?: number; sendTimeoutMs?: number; environment?: string; onDrop?: (dropped: number) => void } = {},
  ) {
    this.connection = connect(target, 'capture');
    this.queue = openQueue<ErrorEvent>(QUEUES.errors, this.connection);
    this.queue.on('error', () => undefined);
  }

  /** Builds, scrubs and queues one event; returns its id. Never throws. */
  captureError(error: unknown, context: CaptureContext): string | undefined {
    try {
      const event: ErrorEvent = {
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        plugin: context.plugin,
        pluginVersion: context.version,
        environment: context.environment ?? this.options.environment ?? 'production',
        level: context.level ?? 'error',
        error: describeError(error),
        ...(context.invocation ? { invocation: context.invocation } : {}),
        host: { name: hostname(), runtime: `node ${process.versions.node}` },
        ...(context.tags ? { tags: context.tags } : {}),
      };
      this.capture(event, context.secrets);
      return event.id;
    } catch {
      this.stats.dropped++;
      return undefined;
    }
  }

  /** The sink interface of the plugin host: an already built event. */
  capture(event: ErrorEvent, secrets: readonly string[] = []): void {
    if (this.closed) {
      this.stats.dropped++;
      return;
    }
    const limit = this.options.bufferSize ?? 10_000;
    if (this.buffer.length + this.inFlight >= limit) {
      // The oldest unsent event goes: the newest says more about what is wrong now. Events
      // being sent stay; if all are being sent, the new one is the one that cannot wait.
      this.stats.dropped++;
      this.options.onDrop?.(this.stats.dropped);
      if (this.buffer.length === 0) return;
      this.buffer.shift();
    }
    try {
      this.buffer.push(scrubEvent(event, secrets));
    } catch {
      // Only a malformed event gets here; the sink never throws into the host.
      this.stats.dropped++;
      return;
    }
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
  }

  private async drain(): Promise<void> {
    let backoff = 100;
    while (this.buffer.length > 0 && !this.closed) {
      // The batch leaves the buffer before it is sent: a full buffer then drops only unsent events.
      const batch = this.buffer.splice(0, 500);
      this.inFlight = batch.length;
      try {
        await withTimeout(
          this.queue.addBulk(batch.map((event) => ({ name: 'event', data: event, opts: { jobId: eventJobId(event.id) } }))),
          this.options.sendTimeoutMs ?? 3000,
        );
        // After close() the batch was already counted as dropped; it is not counted twice.
        if (!this.closed) this.stats.sent += batch.length;
        backoff = 100;
      } catch {
        // Redis is away: the batch goes back in front, and it waits. Job ids make a resend harmless.
        this.inFlight = 0;
        this.buffer.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, backoff));
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
      await Promise.race([this.flushing, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    return this.buffer.length + this.inFlight === 0;
  }

  getStats(): CaptureStats {
    return { ...this.stats, buffered: this.buffer.length + this.inFlight };
  }

  async close(timeoutMs = 5000): Promise<CaptureStats> {
    await this.flush(timeoutMs);
    this.closed = true;
    this.stats.dropped += this.buffer.length + this.inFlight;
    this.buffer.length = 0;
    this.inFlight = 0;
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
    return this.getStats();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
