import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { errorEventSchema, type ErrorEvent } from '../ingest/event.ts';
import { scrubText, scrubValue } from '../ingest/scrub.ts';
import type { Manifest } from '../library/manifest.ts';
import type { FailureKind, ThrownError } from './types.ts';

/** Where failed invocations go: a file until the ingest queue exists, then the queue. */
export interface CaptureSink {
  capture(event: ErrorEvent): void | Promise<void>;
}

/** Appends one event a line to the state dir's events.jsonl. */
export class FileSink implements CaptureSink {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  capture(event: ErrorEvent): void {
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
  }
}

/** Working-copy paths are the host's business: stacks say paths relative to the plugin root. */
export function relativiseStack(stack: string): string {
  return relativisePaths(
    stack
      .split('\n')
      // The host's own worker frames say nothing about the plugin and name host paths.
      .filter((line) => !line.includes('/host/worker/node-worker.mjs'))
      .join('\n'),
  );
}

/** Paths inside a working copy, anywhere in a text, as paths relative to the plugin root. */
export function relativisePaths(text: string): string {
  return text.replace(/(?:file:\/\/)?\/[^\s()'"]*?\/steward-wc-[A-Za-z0-9]+\/plugin\//g, '');
}

/** An event must stay under 256 KiB: a huge input is kept as its size and a preview. */
const MAX_INPUT_BYTES = 64 * 1024;

function capInput(input: unknown): unknown {
  const text = JSON.stringify(input) ?? 'null';
  if (text.length <= MAX_INPUT_BYTES) return input;
  return { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, 4096) };
}

const LEVEL: Record<Exclude<FailureKind, 'not-runnable'>, ErrorEvent['level']> = {
  'invalid-input': 'warning',
  'plugin-error': 'error',
  'invalid-output': 'error',
  crash: 'fatal',
  timeout: 'fatal',
};

export function buildErrorEvent(input: {
  manifest: Manifest;
  kind: Exclude<FailureKind, 'not-runnable'>;
  error: ThrownError;
  operation: string;
  invocationInput: unknown;
  secrets: readonly string[];
  environment?: string;
  /** Who captured it: this machine's name unless a capture elsewhere (the eval's) says otherwise. */
  hostName?: string;
}): ErrorEvent {
  const { error, secrets } = input;
  const event: ErrorEvent = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    plugin: input.manifest.name,
    pluginVersion: input.manifest.version,
    environment: input.environment ?? 'production',
    level: LEVEL[input.kind],
    error: {
      type: scrubText(error.type, secrets) || 'Error',
      message: scrubText(relativisePaths(error.message), secrets),
      ...(error.stack ? { stack: scrubText(relativiseStack(error.stack), secrets) } : {}),
      ...(error.code ? { code: error.code } : {}),
    },
    invocation: { operation: input.operation, input: capInput(scrubValue(input.invocationInput, secrets)) },
    host: { name: input.hostName ?? hostname(), runtime: input.manifest.runtime === 'node' ? `node ${process.versions.node}` : input.manifest.runtime },
    tags: { failure: input.kind },
  };
  return errorEventSchema.parse(event);
}
