import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { messageOf } from '../core/errors.ts';
import { withTimeout } from '../core/timeout.ts';
import { Capture } from '../ingest/capture.ts';
import type { ErrorEvent } from '../ingest/event.ts';
import { ingestRoutes } from '../ingest/http.ts';
import { githubWebhookRoute, type GitHubWebhookOptions } from '../ingest/github-webhook.ts';
import { openQueue, QUEUES, type DeadLetter } from '../ingest/queues.ts';
import { apiToken } from '../ingest/token.ts';
import { TrafficStore } from '../ingest/traffic.ts';
import type { Library } from '../library/library.ts';
import { sweepOrphanedCopies } from '../sandbox/disk-quota.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { PluginHost } from './host.ts';
import { createHostServer } from './http.ts';
import { hostMetrics } from './prometheus.ts';

export interface ServingHost {
  host: PluginHost;
  server: Server;
  /** host:port it listens on. */
  where: string;
  /** host:port of the ingest routes when they have a port of their own. */
  ingestWhere?: string;
  /** The GitHub webhook route: "on", or why it is off. */
  webhook: string;
  close(): Promise<void>;
}

/** The plugin host with its HTTP API (health, invoke, metrics, ingest), its failures captured to Redis and its successes sampled there. */
export async function serveHost(
  library: Library,
  target: RedisTarget,
  options: {
    port: number;
    bind: string;
    crashLimit: number;
    crashWindowMs: number;
    /** `POST /v1/github/webhook`: what a delivery makes steward do, given by the caller (absent: the route says webhooks are off). */
    webhook?: GitHubWebhookOptions;
    /**
     * The ingest routes (events, Sentry envelopes, traffic, the webhook) on a port of
     * their own, so exposing them to production never exposes the plugin API.
     */
    ingest?: { port: number; bind: string };
    /** More of what GET /readyz checks (Redis is always checked): each throws when its dependency is not ready. */
    readiness?: Record<string, () => Promise<void>>;
    /** Metrics of the rest of the process (queues, runs), added to the host's. */
    metrics?: (registry: Registry) => void;
    /** The web console (`openConsole`), on the plugin API's port. */
    pages?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  },
): Promise<ServingHost> {
  sweepOrphanedCopies();
  const capture = new Capture(target);
  const producer = connect(target, 'host-ingest');
  const dead = openQueue<DeadLetter>(QUEUES.dead, producer);
  // A failed call is answered once its event is queued: a host killed right after answering loses nothing.
  const sink = { capture: (event: ErrorEvent, secrets?: readonly string[]) => capture.captureQueued(event, secrets).then(() => undefined) };
  // Its own connection: a slow sample never queues behind, nor delays, a dead letter.
  const sampling = library.config.traffic.enabled ? connect(target, 'host-traffic') : undefined;
  const traffic = sampling ? new TrafficStore(sampling, library.config.traffic) : undefined;
  const host = new PluginHost({ library, sink, crashLimit: options.crashLimit, crashWindowMs: options.crashWindowMs, ...(traffic ? { traffic } : {}) });
  host.load();
  const ingest = ingestRoutes({
    capture,
    dead,
    token: apiToken(library, 'ingest'),
    sentryProjects: library.config.ingest.sentryProjects,
    ...(traffic ? { traffic: { store: traffic, secretsOf: (plugin: string) => host.secretsOf(plugin) } } : {}),
  });
  const webhook = githubWebhookRoute(options.webhook ?? { secret: undefined, off: 'not served by this process', repository: '', onPullRequest: async () => undefined });
  const ingestAndWebhook = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => (await ingest(req, res)) || webhook(req, res);
  const checks: Record<string, () => Promise<void>> = { redis: async () => void (await producer.ping()), ...options.readiness };
  const readiness = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(
          async ([name, check]) =>
            [
              name,
              await withTimeout(check(), 2000, name).then(
                () => 'ok',
                (error: unknown) => messageOf(error),
              ),
            ] as const,
        ),
      ),
    );
  const registry = hostMetrics(host, capture);
  options.metrics?.(registry);
  const token = apiToken(library, 'host');
  const server = createHostServer(host, {
    token,
    metrics: registry,
    readiness,
    ...(options.pages ? { pages: options.pages } : {}),
    ...(options.ingest ? {} : { extra: ingestAndWebhook }),
  });
  const ingestServer = options.ingest ? createHostServer(host, { token, readiness, extra: ingestAndWebhook, plugins: false }) : undefined;
  const release = async (): Promise<void> => {
    await host.close();
    // The calls it skipped without Redis are counted before the connection goes.
    await traffic?.flush().catch(() => undefined);
    await capture.close();
    await dead.close();
    producer.disconnect();
    sampling?.disconnect();
  };
  const servers = [server, ...(ingestServer ? [ingestServer] : [])];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((s) => new Promise<void>((resolveClose) => (s.listening ? s.close(() => resolveClose()) : resolveClose()))));
    await release();
  };
  try {
    await listen(server, options.port, options.bind);
    if (ingestServer && options.ingest) await listen(ingestServer, options.ingest.port, options.ingest.bind);
  } catch (error) {
    await close();
    throw error;
  }
  const where = addressOf(server);
  return {
    host,
    server,
    where,
    ...(ingestServer ? { ingestWhere: addressOf(ingestServer) } : {}),
    webhook: options.webhook?.secret ? 'on' : `off: ${options.webhook?.off ?? 'not served by this process'}`,
    close,
  };
}

function listen(server: Server, port: number, bind: string): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, bind, resolveListen);
  });
}

function addressOf(server: Server): string {
  const address = server.address();
  return typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
}
