import { problemsFromZod } from '../core/json.ts';
import { jsonDepth } from '../core/json-depth.ts';
import { errorEventSchema, MAX_EVENT_BYTES, MAX_EVENT_DEPTH, type ErrorEvent } from './event.ts';

export type Validation = { ok: true; event: ErrorEvent } | { ok: false; reason: string; path?: string };

/** The spec's rules, each rejection naming the field: size, shape, and a plugin the library knows. */
export function validateEvent(raw: unknown, knownPlugin: (name: string) => boolean): Validation {
  // Depth first, counted without recursion: size and shape checks below recurse.
  const depth = jsonDepth(raw, MAX_EVENT_DEPTH);
  if (depth > MAX_EVENT_DEPTH) return { ok: false, reason: `event nests more than ${MAX_EVENT_DEPTH} levels deep`, path: '$' };
  const size = Buffer.byteLength(typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? ''));
  if (size > MAX_EVENT_BYTES) return { ok: false, reason: `event is ${size} bytes, more than ${MAX_EVENT_BYTES}`, path: '$' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const what = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
    return { ok: false, reason: `an event is a JSON object, not ${what}`, path: '$' };
  }
  const parsed = errorEventSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = problemsFromZod(parsed.error)[0] ?? { path: '$', message: 'invalid' };
    return { ok: false, reason: `${problem.path}: ${problem.message}`, path: problem.path };
  }
  if (!knownPlugin(parsed.data.plugin)) return { ok: false, reason: `$.plugin: unknown plugin "${parsed.data.plugin}"`, path: '$.plugin' };
  return { ok: true, event: parsed.data };
}
