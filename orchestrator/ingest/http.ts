import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import { readBody, sendJson } from '../core/http.ts';
import { problemsFromZod } from '../core/json.ts';
import { withTimeout } from '../core/timeout.ts';
import type { Capture } from './capture.ts';
import { deadLetter } from './dead-letter.ts';
import { jsonDepth } from '../core/json-depth.ts';
import { messageOf } from '../core/errors.ts';
import { MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from './event.ts';
import type { DeadLetter } from './queues.ts';
import { mapSentryEvent, parseEnvelope } from './sentry.ts';
import { requestToken, sameSecret } from './token.ts';
import { trafficBatchSchema, trafficSampleSchema, type TrafficOutcome, type TrafficStore } from './traffic.ts';
import { validateEvent } from './validate.ts';

/** A request body may carry many events (NDJSON); each one still obeys the 256 KiB limit. */
const MAX_BODY = 16 * 1024 * 1024;

export interface IngestRouteOptions {
  capture: Capture;
  dead: Queue<DeadLetter>;
  token: string;
  sentryProjects: Record<string, string>;
  /** POST /v1/traffic's store, and the declared secret values of each plugin (undefined: no such plugin). Absent: sampling is off. */
  traffic?: { store: TrafficStore; secretsOf: (plugin: string) => readonly string[] | undefined };
}

const send = sendJson;

/**
 * `POST /v1/events` (one event, or NDJSON), Sentry's `POST /api/:project/envelope/`,
 * and `POST /v1/traffic` (successful calls, for the traffic sample).
 * Events are queued as they came (scrubbed by the SDK or by the worker before
 * anything is stored); what cannot even be read goes to the dead-letter queue here.
 * Returns false for a request that is not theirs.
 */
export function ingestRoutes(options: IngestRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ingest');
    const envelope = /^\/api\/([^/]+)\/envelope\/?$/.exec(url.pathname);
    if (url.pathname === '/v1/events' && req.method === 'POST') {
      if (!sameSecret(requestToken(req), options.token)) {
        send(res, 401, { error: { type: 'Unauthorized', message: 'a valid ingest token is required (Authorization: Bearer <token>)' } });
        return true;
      }
      await ownEvents(req, res, options);
      return true;
    }
    if (url.pathname === '/v1/traffic' && req.method === 'POST') {
      if (!sameSecret(requestToken(req), options.token)) {
        send(res, 401, { error: { type: 'Unauthorized', message: 'a valid ingest token is required (Authorization: Bearer <token>)' } });
        return true;
      }
      if (!options.traffic) send(res, 404, { error: { type: 'TrafficOff', message: 'traffic sampling is off (steward.config.json: "traffic": { "enabled": false })' } });
      else await trafficSamples(req, res, options.traffic);
      return true;
    }
    if (envelope?.[1] && req.method === 'POST') {
      const auth = /sentry_key=([^,\s]+)/.exec(String(req.headers['x-sentry-auth'] ?? ''))?.[1] ?? url.searchParams.get('sentry_key') ?? undefined;
      if (!sameSecret(auth, options.token)) {
        send(res, 401, { detail: 'invalid sentry_key: use the ingest token as the DSN key' });
        return true;
      }
      await sentryEnvelope(req, res, options, envelope[1]);
      return true;
    }
    return false;
  };
}

async function ownEvents(req: IncomingMessage, res: ServerResponse, options: IngestRouteOptions): Promise<void> {
  let text: string;
  try {
    text = (await readBody(req, { maxBytes: MAX_BODY, decompress: true })).toString('utf8');
  } catch (error) {
    send(res, 413, { error: { type: 'BodyTooLarge', message: messageOf(error) } });
    return;
  }
  const lines = text.trim().startsWith('{') && !text.trim().includes('\n') ? [text] : text.split('\n').filter((l) => l.trim());
  const accepted: string[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for (const [index, line] of lines.entries()) {
    const reject = async (reason: string, raw: unknown): Promise<void> => {
      rejected.push({ line: index + 1, reason });
      await deadLetter(options.dead, { reason, raw, source: 'http' });
    };
    if (Buffer.byteLength(line) > MAX_EVENT_BYTES) {
      await reject(`$: event is ${Buffer.byteLength(line)} bytes, more than ${MAX_EVENT_BYTES}`, line);
      continue;
    }
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      await reject(`$: not JSON: ${messageOf(error)}`, line);
      continue;
    }
    // The shape is checked here so the sender learns at once; the worker checks the plugin.
    // Whatever one line does, the lines after it are still read.
    let valid: ReturnType<typeof validateEvent>;
    try {
      valid = validateEvent(event, () => true);
    } catch (error) {
      valid = { ok: false, reason: `$: cannot be read: ${messageOf(error)}` };
    }
    if (!valid.ok) {
      await reject(valid.reason, event);
      continue;
    }
    options.capture.capture(valid.event);
    accepted.push(valid.event.id);
  }
  const flushed = await options.capture.flush(5000);
  if (!flushed && accepted.length > 0) {
    // Not queued yet, so not accepted: the sender keeps them and sends again (an event id
    // makes a resend harmless, even if the buffered copy gets through meanwhile).
    send(res, 503, {
      accepted: [],
      notAccepted: accepted,
      rejected,
      error: { type: 'Unavailable', message: 'the queue is unreachable: none of the events was accepted; send them again' },
    });
    return;
  }
  send(res, accepted.length === 0 && rejected.length > 0 ? 400 : 202, { accepted, rejected });
}

/** A refused request to POST /v1/traffic: nothing of it was recorded. */
function refuse(res: ServerResponse, status: number, type: string, path: string, message: string): void {
  send(res, status, { error: { type, path, message: `${path}: ${message}` } });
}

/**
 * `POST /v1/traffic`: one sample or up to 100, all recorded or none: a sample that is
 * malformed (400) or too large (413) refuses the request, naming the field, so the
 * sender can fix it and send it whole again.
 */
async function trafficSamples(req: IncomingMessage, res: ServerResponse, traffic: NonNullable<IngestRouteOptions['traffic']>): Promise<void> {
  let text: string;
  try {
    text = (await readBody(req, { maxBytes: MAX_BODY, decompress: true })).toString('utf8');
  } catch (error) {
    return send(res, 413, { error: { type: 'BodyTooLarge', message: messageOf(error) } });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return refuse(res, 400, 'BadJson', '$', `not JSON: ${messageOf(error)}`);
  }
  const many = Array.isArray(body);
  // Depth is measured without recursion before anything walks the samples.
  const samples: unknown[] = many ? (body as unknown[]) : [body];
  for (const [i, sample] of samples.entries()) {
    const at = many ? `$[${i}]` : '$';
    if (jsonDepth(sample, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) return refuse(res, 400, 'InvalidSample', at, `nests more than ${MAX_EVENT_DEPTH} levels deep`);
  }
  const parsed = many ? trafficBatchSchema.safeParse(body) : trafficSampleSchema.transform((one) => [one]).safeParse(body);
  if (!parsed.success) {
    const [first] = problemsFromZod(parsed.error);
    return refuse(res, 400, 'InvalidSample', first?.path ?? '$', first?.message ?? 'invalid');
  }
  const secrets: (readonly string[])[] = [];
  for (const [i, sample] of parsed.data.entries()) {
    const at = many ? `$[${i}]` : '$';
    const known = traffic.secretsOf(sample.plugin);
    if (!known) return refuse(res, 400, 'UnknownPlugin', `${at}.plugin`, `no plugin "${sample.plugin}" in this library`);
    secrets.push(known);
    const over = traffic.store.oversize(sample);
    if (over) return refuse(res, 413, 'SampleTooLarge', `${at}.${over.field}`, `${over.bytes} bytes of JSON, more than ${traffic.store.maxInputBytes} (traffic.maxInputBytes)`);
  }
  const counts: Record<'kept' | 'skipped' | 'tooLarge', number> = { kept: 0, skipped: 0, tooLarge: 0 };
  const key: Record<TrafficOutcome, keyof typeof counts> = { kept: 'kept', skipped: 'skipped', 'too-large': 'tooLarge' };
  try {
    await withTimeout(
      Promise.all(
        parsed.data.map(async (sample, i) => {
          counts[key[await traffic.store.record(sample, secrets[i])]]++;
        }),
      ),
      5000,
      'recording the samples',
    );
  } catch (error) {
    // Those already counted are kept; sending all again only counts them as seen twice.
    send(res, 503, { ...counts, error: { type: 'Unavailable', message: `the traffic store is unreachable (${messageOf(error)}); send the samples again` } });
    return;
  }
  send(res, 200, counts);
}

async function sentryEnvelope(req: IncomingMessage, res: ServerResponse, options: IngestRouteOptions, projectId: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, { maxBytes: MAX_BODY, decompress: true });
  } catch (error) {
    send(res, 413, { detail: messageOf(error) });
    return;
  }
  let parsed: ReturnType<typeof parseEnvelope>;
  try {
    parsed = parseEnvelope(body);
  } catch (error) {
    await deadLetter(options.dead, { reason: `not a Sentry envelope: ${messageOf(error)}`, raw: body.toString('utf8').slice(0, MAX_EVENT_BYTES), source: 'sentry' });
    send(res, 400, { detail: 'malformed envelope' });
    return;
  }
  let id: string | undefined;
  for (const item of parsed.items) {
    // Sessions, transactions and client reports are not errors: accepted, not kept.
    if (item.type !== 'event') continue;
    // The same limit as /v1/events, for each item: an envelope is not a way around it.
    if (item.payload.length > MAX_EVENT_BYTES) {
      await deadLetter(options.dead, {
        reason: `$: event is ${item.payload.length} bytes, more than ${MAX_EVENT_BYTES}`,
        raw: item.payload.subarray(0, 4096).toString('utf8'),
        source: 'sentry',
      });
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(item.payload.toString('utf8'));
    } catch {
      await deadLetter(options.dead, { reason: 'the event item is not JSON', raw: item.payload.toString('utf8'), source: 'sentry' });
      continue;
    }
    let mapped: ReturnType<typeof mapSentryEvent>;
    try {
      const depth = jsonDepth(raw, MAX_EVENT_DEPTH);
      mapped =
        depth > MAX_EVENT_DEPTH ? { ok: false, reason: `event nests more than ${MAX_EVENT_DEPTH} levels deep`, path: '$' } : mapSentryEvent(raw, projectId, options.sentryProjects);
    } catch (error) {
      mapped = { ok: false, reason: `cannot be read: ${messageOf(error)}`, path: '$' };
    }
    if (!mapped.ok) {
      await deadLetter(options.dead, { reason: mapped.reason, path: mapped.path, raw, source: 'sentry' });
      continue;
    }
    options.capture.capture(mapped.event);
    id = mapped.event.id;
  }
  if (!(await options.capture.flush(5000))) {
    send(res, 503, { detail: 'the queue is unreachable: the event was not accepted' });
    return;
  }
  send(res, 200, { id: id ?? (parsed.header.event_id as string | undefined) ?? null });
}
