import type { ErrorEvent } from './event.ts';

/**
 * Sentry compatibility: the envelope format the official SDKs send, and the mapping
 * of a Sentry error event onto steward's. Plugin and version come from tags
 * (`plugin`, `pluginVersion`), from a release named `plugin@version`, or from the
 * project mapping in the config.
 */
export interface EnvelopeItem {
  type: string;
  payload: Buffer;
}

export function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let offset = 0;
  const readLine = (): string | undefined => {
    if (offset >= body.length) return undefined;
    const end = body.indexOf(10, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end).toString('utf8');
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine() ?? '{}') as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  for (let line = readLine(); line !== undefined; line = readLine()) {
    if (!line.trim()) continue;
    const itemHeader = JSON.parse(line) as { type?: string; length?: number };
    let payload: Buffer;
    if (typeof itemHeader.length === 'number') {
      payload = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length;
      if (body[offset] === 10) offset++;
    } else {
      payload = Buffer.from(readLine() ?? '', 'utf8');
    }
    items.push({ type: itemHeader.type ?? 'unknown', payload });
  }
  return { header, items };
}

interface SentryFrame {
  function?: string;
  filename?: string;
  abs_path?: string;
  module?: string;
  lineno?: number;
  colno?: number;
}

interface SentryEvent {
  event_id?: string;
  timestamp?: number | string;
  level?: string;
  environment?: string;
  release?: string;
  server_name?: string;
  message?: string | { formatted?: string; message?: string };
  exception?: { values?: { type?: string; value?: string; stacktrace?: { frames?: SentryFrame[] } }[] };
  tags?: Record<string, unknown> | [string, string][];
  extra?: Record<string, unknown>;
  contexts?: { runtime?: { name?: string; version?: string } };
}

const LEVELS: Record<string, ErrorEvent['level']> = { fatal: 'fatal', error: 'error', warning: 'warning', info: 'warning', debug: 'warning', log: 'warning' };

/** Sentry lists frames oldest first; steward's stack, like V8's, names the innermost first. */
function stackOf(type: string, message: string, frames: SentryFrame[]): string {
  const lines = [...frames].reverse().map((f) => {
    const where = `${f.abs_path ?? f.filename ?? f.module ?? '<unknown>'}:${f.lineno ?? 0}:${f.colno ?? 0}`;
    return f.function ? `    at ${f.function} (${where})` : `    at ${where}`;
  });
  return [`${type}: ${message}`, ...lines].join('\n');
}

function tagsOf(event: SentryEvent): Record<string, string> {
  const entries = Array.isArray(event.tags) ? event.tags : Object.entries(event.tags ?? {});
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

export type Mapped = { ok: true; event: ErrorEvent } | { ok: false; reason: string; path: string };

export function mapSentryEvent(raw: unknown, projectId: string, projects: Record<string, string>): Mapped {
  const event = raw as SentryEvent;
  if (!event || typeof event !== 'object') return { ok: false, reason: 'the event item is not a JSON object', path: '$' };
  const tags = tagsOf(event);
  const release = /^(?<name>[a-z][a-z0-9-]{1,63})@(?<version>.+)$/.exec(event.release ?? '')?.groups;
  const plugin = tags.plugin ?? release?.name ?? projects[projectId];
  if (!plugin)
    return { ok: false, reason: `no plugin: set the "plugin" tag, a release "name@version", or map project ${projectId} in ingest.sentryProjects`, path: '$.tags.plugin' };
  const version = tags.pluginVersion ?? tags.plugin_version ?? release?.version;
  if (!version) return { ok: false, reason: 'no plugin version: set the "pluginVersion" tag or a release "name@version"', path: '$.tags.pluginVersion' };
  const exception = event.exception?.values?.at(-1);
  const message = typeof event.message === 'string' ? event.message : (event.message?.formatted ?? event.message?.message);
  const type = exception?.type ?? 'Message';
  const text = exception?.value ?? message ?? '';
  const frames = exception?.stacktrace?.frames ?? [];
  const timestamp = typeof event.timestamp === 'number' ? new Date(event.timestamp * 1000) : new Date(event.timestamp ?? Date.now());
  const rest = Object.fromEntries(Object.entries(tags).filter(([key]) => !['plugin', 'pluginVersion', 'plugin_version'].includes(key)));
  const input = event.extra?.input;
  const runtime = event.contexts?.runtime;
  return {
    ok: true,
    event: {
      id: event.event_id ?? '',
      timestamp: Number.isNaN(timestamp.getTime()) ? new Date().toISOString() : timestamp.toISOString(),
      plugin,
      pluginVersion: version,
      ...(event.environment ? { environment: event.environment } : {}),
      level: LEVELS[event.level ?? 'error'] ?? 'error',
      error: { type, message: text, ...(frames.length > 0 ? { stack: stackOf(type, text, frames) } : {}) },
      ...(input !== undefined ? { invocation: { operation: typeof event.extra?.operation === 'string' ? event.extra.operation : 'execute', input } } : {}),
      host: {
        ...(event.server_name ? { name: event.server_name } : {}),
        ...(runtime?.name ? { runtime: `${runtime.name} ${runtime.version ?? ''}`.trim() } : {}),
      },
      ...(Object.keys(rest).length > 0 ? { tags: rest } : {}),
    },
  };
}
