import { messageOf } from '../core/errors.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { BodyTooLarge, readBody, sendJson } from '../core/http.ts';
import { requestToken, sameSecret } from '../ingest/token.ts';
import type { PluginHost } from './host.ts';
import type { FailureKind } from './types.ts';

const MAX_BODY = 1024 * 1024;

/** HTTP status of each failure: never 500 for what a plugin did, since the host is fine. */
const STATUS: Record<FailureKind, number> = {
  'invalid-input': 400,
  'plugin-error': 422,
  'invalid-output': 502,
  crash: 502,
  timeout: 504,
  'not-runnable': 503,
};

const send = sendJson;

/**
 * The host's API, each route behind the host token:
 *   POST /v1/plugins/:name/execute   body {"input": …}
 *   GET  /v1/plugins
 *   GET  /v1/plugins/:name/health    200 for every known plugin, whatever its state; 404 otherwise
 *   POST /v1/plugins/:name/reload
 */
type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface HostServerOptions {
  /** Every /v1/plugins route needs it: whoever reaches the host could otherwise run plugins and queue events. */
  token: string;
  /** Other APIs (error ingest) answer first; what they leave is the host's. */
  extra?: ExtraRoutes;
  /** Served at GET /metrics in Prometheus's text format, without a token (counts only). */
  metrics?: Registry;
  /** GET /readyz: each dependency's state ("ok", or what is wrong); 503 unless all are ok. */
  readiness?: () => Promise<Record<string, string>>;
  /** False for a server of the ingest routes alone: the plugin API is not served on it. */
  plugins?: boolean;
  /** The web console's pages (behind their own tokens), answered before the plugin API. */
  pages?: ExtraRoutes;
}

/** GET /healthz (the process answers) and GET /readyz (its dependencies answer), without a token. */
async function probes(options: HostServerOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET') return false;
  const path = new URL(req.url ?? '/', 'http://host').pathname;
  if (path === '/healthz') {
    send(res, 200, { status: 'ok' });
    return true;
  }
  if (path !== '/readyz') return false;
  const checks = options.readiness ? await options.readiness() : {};
  const ready = Object.values(checks).every((state) => state === 'ok');
  send(res, ready ? 200 : 503, { ready, checks });
  return true;
}

export function createHostServer(host: PluginHost, options: HostServerOptions): Server {
  return createServer((req, res) => {
    void (async () => {
      if (await probes(options, req, res)) return;
      if (options.extra && (await options.extra(req, res))) return;
      if (options.metrics && req.method === 'GET' && new URL(req.url ?? '/', 'http://host').pathname === '/metrics') {
        const text = await options.metrics.metrics();
        res.writeHead(200, { 'content-type': options.metrics.contentType });
        res.end(text);
        return;
      }
      if (options.pages && (await options.pages(req, res))) return;
      if (options.plugins === false)
        return send(res, 404, { error: { type: 'NotFound', message: `${new URL(req.url ?? '/', 'http://host').pathname}: this port serves ingest only` } });
      await route(host, options.token, req, res);
    })().catch((error: unknown) => {
      // The last line of defence: a bug in routing answers 500, and the server lives on.
      if (!res.headersSent) send(res, 500, { error: { type: 'HostError', message: messageOf(error) } });
    });
  });
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function route(host: PluginHost, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'v1' || parts[1] !== 'plugins') return send(res, 404, { error: { type: 'NotFound', message: url.pathname } });
  if (!sameSecret(requestToken(req), token)) {
    return send(res, 401, { error: { type: 'Unauthorized', message: 'a valid host token is required (Authorization: Bearer <token>; see host-token in the state dir)' } });
  }
  if (parts.length === 2 && req.method === 'GET') return send(res, 200, { plugins: host.list() });
  const name = decodeSegment(parts[2] ?? '');
  if (name === undefined) return send(res, 400, { error: { type: 'BadRequest', message: `the plugin name in ${url.pathname} is not a valid percent-encoding` } });
  const action = parts[3];
  if (parts.length !== 4) return send(res, 404, { error: { type: 'NotFound', message: url.pathname } });
  if (!host.has(name)) return send(res, 404, { error: { type: 'UnknownPlugin', message: `no plugin "${name}"` } });

  if (action === 'health' && req.method === 'GET') return send(res, 200, host.health(name));
  if (action === 'reload' && req.method === 'POST') return send(res, 200, await host.reload(name));
  if (action === 'execute' && req.method === 'POST') {
    let body: unknown;
    try {
      const text = (await readBody(req, { maxBytes: MAX_BODY })).toString('utf8');
      body = text ? JSON.parse(text) : {};
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge;
      return send(res, tooLarge ? 413 : 400, { error: { type: tooLarge ? 'BodyTooLarge' : 'BadJson', message: messageOf(error) } });
    }
    const input = body && typeof body === 'object' && 'input' in body ? (body as { input: unknown }).input : undefined;
    const outcome = await host.invoke(name, input);
    if (!outcome) return send(res, 404, { error: { type: 'UnknownPlugin', message: `no plugin "${name}"` } });
    if (outcome.ok) return send(res, 200, { ok: true, output: outcome.output, durationMs: outcome.durationMs });
    return send(res, STATUS[outcome.kind], { ok: false, kind: outcome.kind, error: { type: outcome.error.type, message: outcome.error.message }, durationMs: outcome.durationMs });
  }
  return send(res, 405, { error: { type: 'MethodNotAllowed', message: `${req.method ?? ''} ${url.pathname}` } });
}
