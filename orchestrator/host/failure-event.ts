import { buildErrorEvent } from '../ingest/build-event.ts';
import type { ErrorEvent } from '../ingest/event.ts';
import type { Manifest } from '../library/manifest.ts';
import type { FailureKind, ThrownError } from './types.ts';

const LEVEL: Record<Exclude<FailureKind, 'not-runnable'>, ErrorEvent['level']> = {
  'invalid-input': 'warning',
  'plugin-error': 'error',
  'invalid-output': 'error',
  crash: 'fatal',
  timeout: 'fatal',
};

/** A failed invocation as an error event: the level and `failure` tag say how it failed. */
export function failureEvent(
  manifest: Manifest,
  kind: Exclude<FailureKind, 'not-runnable'>,
  error: ThrownError,
  operation: string,
  input: unknown,
  environment?: string,
  hostName?: string,
): ErrorEvent {
  return buildErrorEvent({
    plugin: manifest.name,
    version: manifest.version,
    level: LEVEL[kind],
    error,
    operation,
    input,
    runtime: manifest.runtime === 'node' ? `node ${process.versions.node}` : manifest.runtime,
    tags: { failure: kind },
    ...(environment ? { environment } : {}),
    ...(hostName ? { hostName } : {}),
  });
}
