import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sendJson } from '../core/http.ts';
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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        // Keep reading and drop it: destroying the socket would lose the 413 answer.
        reject(new RangeError(`body larger than ${MAX_BODY} bytes`));
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The host's API:
 *   POST /v1/plugins/:name/execute   body {"input": …}
 *   GET  /v1/plugins
 *   GET  /v1/plugins/:name/health    200 for every known plugin, whatever its state; 404 otherwise
 *   POST /v1/plugins/:name/reload
 */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createHostServer(host: PluginHost, extra?: ExtraRoutes): Server {
  return createServer((req, res) => {
    void (async () => {
      // Other APIs (error ingest) answer first; what they leave is the host's.
      if (extra && (await extra(req, res))) return;
      await route(host, req, res);
    })().catch((error: unknown) => {
      // The last line of defence: a bug in routing answers 500, and the server lives on.
      if (!res.headersSent) send(res, 500, { error: { type: 'HostError', message: (error as Error).message } });
    });
  });
}

async function route(host: PluginHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'v1' || parts[1] !== 'plugins') return send(res, 404, { error: { type: 'NotFound', message: url.pathname } });
  if (parts.length === 2 && req.method === 'GET') return send(res, 200, { plugins: host.list() });
  const name = decodeURIComponent(parts[2] ?? '');
  const action = parts[3];
  if (parts.length !== 4) return send(res, 404, { error: { type: 'NotFound', message: url.pathname } });
  if (!host.has(name)) return send(res, 404, { error: { type: 'UnknownPlugin', message: `no plugin "${name}"` } });

  if (action === 'health' && req.method === 'GET') return send(res, 200, host.health(name));
  if (action === 'reload' && req.method === 'POST') return send(res, 200, await host.reload(name));
  if (action === 'execute' && req.method === 'POST') {
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text ? JSON.parse(text) : {};
    } catch (error) {
      const tooLarge = error instanceof RangeError;
      return send(res, tooLarge ? 413 : 400, { error: { type: tooLarge ? 'BodyTooLarge' : 'BadJson', message: (error as Error).message } });
    }
    const input = body && typeof body === 'object' && 'input' in body ? (body as { input: unknown }).input : undefined;
    const outcome = await host.invoke(name, input);
    if (!outcome) return send(res, 404, { error: { type: 'UnknownPlugin', message: `no plugin "${name}"` } });
    if (outcome.ok) return send(res, 200, { ok: true, output: outcome.output, durationMs: outcome.durationMs });
    return send(res, STATUS[outcome.kind], { ok: false, kind: outcome.kind, error: { type: outcome.error.type, message: outcome.error.message }, durationMs: outcome.durationMs });
  }
  return send(res, 405, { error: { type: 'MethodNotAllowed', message: `${req.method ?? ''} ${url.pathname}` } });
}
