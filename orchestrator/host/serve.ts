import type { Server } from 'node:http';
import { Capture } from '../ingest/capture.ts';
import { ingestRoutes } from '../ingest/http.ts';
import { openQueue, QUEUES, type DeadLetter } from '../ingest/queues.ts';
import { ingestToken } from '../ingest/token.ts';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { PluginHost } from './host.ts';
import { createHostServer } from './http.ts';

export interface ServingHost {
  host: PluginHost;
  server: Server;
  /** host:port it listens on. */
  where: string;
  close(): Promise<void>;
}

/** The plugin host with its HTTP API (health, invoke, metrics, ingest), its failures captured to Redis. */
export async function serveHost(library: Library, target: RedisTarget, options: { port: number; bind: string; crashLimit: number; crashWindowMs: number }): Promise<ServingHost> {
  const capture = new Capture(target);
  const producer = connect(target, 'host-ingest');
  const dead = openQueue<DeadLetter>(QUEUES.dead, producer);
  const host = new PluginHost({ library, sink: capture, crashLimit: options.crashLimit, crashWindowMs: options.crashWindowMs });
  host.load();
  const server = createHostServer(host, ingestRoutes({ capture, dead, token: ingestToken(library), sentryProjects: library.config.ingest.sentryProjects }));
  const close = async (): Promise<void> => {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    await host.close();
    await capture.close();
    await dead.close();
    producer.disconnect();
  };
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.bind, resolveListen);
    });
  } catch (error) {
    await host.close();
    await capture.close();
    await dead.close();
    producer.disconnect();
    throw error;
  }
  const address = server.address();
  const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  return { host, server, where, close };
}
