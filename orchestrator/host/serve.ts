import type { Server } from 'node:http';
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
  const server = createHostServer(host, {
    token: apiToken(library, 'host'),
    metrics: hostMetrics(host, capture),
    extra: async (req, res) => (await ingest(req, res)) || webhook(req, res),
  });
  const release = async (): Promise<void> => {
    await host.close();
    // The calls it skipped without Redis are counted before the connection goes.
    await traffic?.flush().catch(() => undefined);
    await capture.close();
    await dead.close();
    producer.disconnect();
    sampling?.disconnect();
  };
  const close = async (): Promise<void> => {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    await release();
  };
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bind, resolveListen);
    });
  } catch (error) {
    await release();
    throw error;
  }
  const address = server.address();
  const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  return { host, server, where, webhook: options.webhook?.secret ? 'on' : `off: ${options.webhook?.off ?? 'not served by this process'}`, close };
}
