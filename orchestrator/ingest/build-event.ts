import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { errorEventSchema, type ErrorEvent } from './event.ts';

/** Working-copy paths are the host's business: stacks say paths relative to the plugin root. */
function relativiseStack(stack: string): string {
  return relativisePaths(
    stack
      .split('\n')
      // The host's own plugin-process frames say nothing about the plugin and name host paths.
      .filter((line) => !line.includes('/host/plugin-process/node-plugin.mjs'))
      .join('\n'),
  );
}

/** Paths inside a working copy, anywhere in a text, as paths relative to the plugin root. */
function relativisePaths(text: string): string {
  return text.replace(/(?:file:\/\/)?\/[^\s()'"]*?\/steward-wc-[A-Za-z0-9]+\/plugin\//g, '');
}

/** An event must stay under 256 KiB: a huge input is kept as its size and a preview. */
const MAX_INPUT_BYTES = 64 * 1024;

function capInput(input: unknown): unknown {
  const text = JSON.stringify(input) ?? 'null';
  if (text.length <= MAX_INPUT_BYTES) return input;
  return { truncated: true, bytes: Buffer.byteLength(text), preview: text.slice(0, 4096) };
}

/** Anything thrown, as the spec's error object. */
export function describeError(error: unknown): ErrorEvent['error'] {
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

export interface Failure {
  plugin: string;
  version: string;
  level: ErrorEvent['level'];
  error: ErrorEvent['error'];
  operation?: string;
  /** Absent: the event has no input (a crash between calls). */
  input?: unknown;
  environment?: string;
  /** The process's runtime as the event says it (`node 20.x`, `python`). */
  runtime?: string;
  /** Who captured it: this machine's name unless a capture elsewhere (the eval's) says otherwise. */
  hostName?: string;
  tags?: Record<string, string>;
}

/**
 * The one way steward builds an error event, for the plugin host's failures and the
 * capture SDK's `captureError` alike: paths relative to the plugin, the input capped,
 * checked against the spec. It does not scrub: that happens where the event leaves
 * the process (a capture sink) and again in the ingest consumer (see sink.ts).
 */
export function buildErrorEvent(failure: Failure): ErrorEvent {
  const { error } = failure;
  const event: ErrorEvent = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    plugin: failure.plugin,
    pluginVersion: failure.version,
    environment: failure.environment ?? 'production',
    level: failure.level,
    error: {
      type: error.type || 'Error',
      message: relativisePaths(error.message),
      ...(error.stack ? { stack: relativiseStack(error.stack) } : {}),
      ...(error.code ? { code: error.code } : {}),
    },
    ...(failure.operation !== undefined || 'input' in failure
      ? { invocation: { ...(failure.operation !== undefined ? { operation: failure.operation } : {}), ...('input' in failure ? { input: capInput(failure.input) } : {}) } }
      : {}),
    host: { name: failure.hostName ?? hostname(), runtime: failure.runtime ?? `node ${process.versions.node}` },
    ...(failure.tags ? { tags: failure.tags } : {}),
  };
  return errorEventSchema.parse(event);
}
