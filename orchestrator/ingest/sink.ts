import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ErrorEvent } from './event.ts';
import { scrubEvent } from './scrub.ts';

/**
 * Where a captured event goes: the queue (the capture SDK) or, for a host without
 * Redis, a file. An event is scrubbed at exactly two points. Here, at capture, before
 * anything leaves the process, with the plugin's own secret values, which only this
 * process knows. And in the ingest consumer, for events from outside that no steward
 * capture scrubbed (HTTP, Sentry envelopes, other producers).
 */
export interface CaptureSink {
  capture(event: ErrorEvent, secrets?: readonly string[]): void | Promise<void>;
}

/** Appends one scrubbed event a line to a file (the state dir's events.jsonl). */
export class FileSink implements CaptureSink {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  capture(event: ErrorEvent, secrets: readonly string[] = []): void {
    appendFileSync(this.file, `${JSON.stringify(scrubEvent(event, secrets))}\n`);
  }
}
