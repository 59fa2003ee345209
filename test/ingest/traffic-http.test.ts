import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHost } from '../../orchestrator/host/serve.ts';
import { apiToken } from '../../orchestrator/ingest/token.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect, KEY_PREFIX } from '../../orchestrator/redis/connection.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import { makeLibrary } from '../helpers/git.ts';
import { dumpRedis } from '../helpers/ingest.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const SECRET_VAR = 'TRAFFIC_HTTP_TEST_SECRET';
const SECRET = 'http-declared-secret-5e02b7';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  delete process.env[SECRET_VAR];
});

/** `steward host` as it runs: serveHost on real Redis, with an `echo` plugin that declares a secret. */
async function serve(change: (library: Library) => Library = (l) => l): Promise<{ url: string; ingest: string; host: string; traffic: TrafficStore; target: RedisTarget }> {
  process.env[SECRET_VAR] = SECRET;
  const library = await makeLibrary();
  writePlugin(join(library.paths.plugins, 'echo'), 'echo', { manifest: manifestFor('echo', { version: '1.3.0', env: [{ name: SECRET_VAR, required: true, secret: true }] }) });
  const { target } = await startTestRedis(library.paths.state);
  const serving = await serveHost(change(library), target, { port: 0, bind: '127.0.0.1', crashLimit: 3, crashWindowMs: 60_000 });
  const redis = connect(target, 'test-traffic');
  cleanups.push(async () => {
    await serving.close();
    redis.disconnect();
  });
  return { url: `http://${serving.where}`, ingest: apiToken(library, 'ingest'), host: apiToken(library, 'host'), traffic: new TrafficStore(redis), target };
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/traffic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** `changed` resolves when Redis next changes `key` (keyspace notifications): subscribe first, then act. */
async function nextChange(target: RedisTarget, key: string): Promise<{ changed: Promise<void> }> {
  const subscriber = new Redis(target.options);
  cleanups.push(() => subscriber.disconnect());
  await subscriber.config('SET', 'notify-keyspace-events', 'Kh');
  await subscriber.subscribe(`__keyspace@0__:${key}`);
  return { changed: once(subscriber, 'message').then(() => undefined) };
}

const sample = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  plugin: 'echo',
  version: '1.3.0',
  input: { text: 'a' },
  output: { text: 'a' },
  ...overrides,
});

describe('POST /v1/traffic', () => {
  it('needs the ingest token, not the host token', async () => {
    const { url, host, traffic } = await serve();
    expect((await post(url, sample())).status).toBe(401);
    expect((await post(url, sample(), 'wrong')).status).toBe(401);
    expect((await post(url, sample(), host)).status).toBe(401);
    expect(await traffic.versions('echo')).toEqual([]);
  });

  it('records one sample or a batch, scrubbed with the plugin declared secret, and answers the counts', async () => {
    const { url, ingest, traffic, target } = await serve();
    const one = await post(url, sample({ input: { text: `with ${SECRET}` }, output: { text: SECRET }, at: '2026-03-01T10:00:00Z' }), ingest);
    expect(one).toEqual({ status: 200, json: { kept: 1, skipped: 0, tooLarge: 0 } });
    expect(await traffic.list('echo', '1.3.0')).toEqual([{ input: { text: 'with [redacted]' }, output: { text: '[redacted]' }, at: '2026-03-01T10:00:00Z' }]);
    expect(await dumpRedis(target)).not.toContain(SECRET);

    const batch = await post(
      url,
      Array.from({ length: 100 }, (_, i) => sample({ version: '1.2.0', input: { text: String(i) } })),
      ingest,
    );
    expect(batch.status).toBe(200);
    expect(batch.json).toEqual({ kept: 100, skipped: 0, tooLarge: 0 });
    expect(await traffic.versions('echo')).toEqual([
      { version: '1.3.0', kept: 1, seen: 1 },
      { version: '1.2.0', kept: 100, seen: 100 },
    ]);
  });

  it('refuses a malformed body whole, with one message naming the field', async () => {
    const { url, ingest, traffic } = await serve();
    const cases: [unknown, number, string][] = [
      [sample({ version: 'one' }), 400, '$.version: must be a semver version such as 1.4.2'],
      [[sample(), { plugin: 'echo', version: '1.3.0', input: {} }], 400, '$[1].output: is required'],
      [sample({ extra: 1 }), 400, '$.extra: unknown field "extra"'],
      [sample({ plugin: 'Echo!' }), 400, '$.plugin: must match ^[a-z][a-z0-9-]{1,63}$'],
      [sample({ plugin: 'nowhere' }), 400, '$.plugin: no plugin "nowhere" in this library'],
      [sample({ at: 'yesterday' }), 400, '$.at: Invalid ISO datetime'],
      [[], 400, '$: holds no sample'],
      [Array.from({ length: 101 }, () => sample()), 400, '$: at most 100 samples a request'],
      ['{"plugin": "echo",', 400, '$: not JSON'],
      [sample({ input: { text: 'x'.repeat(70_000) } }), 413, '$.input: 70011 bytes of JSON, more than 65536 (traffic.maxInputBytes)'],
      [[sample(), sample({ output: ['y'.repeat(66_000)] })], 413, '$[1].output: 66004 bytes of JSON'],
    ];
    for (const [body, status, message] of cases) {
      const answer = await post(url, body, ingest);
      expect(answer.status, message).toBe(status);
      const error = answer.json.error as { message: string; path: string };
      expect(error.message).toContain(message);
      expect(message.startsWith(error.path)).toBe(true);
    }
    // All or nothing: the good samples beside a bad one were not recorded either.
    expect(await traffic.versions('echo')).toEqual([]);
  });

  it('the host records its own successful calls through the same store', async () => {
    const { url, host, traffic, target } = await serve();
    const { changed } = await nextChange(target, `${KEY_PREFIX}traffic:echo`);
    const answer = await fetch(`${url}/v1/plugins/echo/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host}` },
      body: JSON.stringify({ input: { text: SECRET } }),
    });
    expect(await answer.json()).toMatchObject({ ok: true, output: { text: '[redacted]' } });
    await changed;
    expect(await traffic.versions('echo')).toEqual([{ version: '1.3.0', kept: 1, seen: 1 }]);
    expect((await traffic.list('echo'))[0]).toMatchObject({ input: { text: '[redacted]' }, output: { text: '[redacted]' } });
  });

  it('says sampling is off when the config turns it off', async () => {
    const { url, ingest } = await serve((library) => ({ ...library, config: { ...library.config, traffic: { ...library.config.traffic, enabled: false } } }));
    const answer = await post(url, sample(), ingest);
    expect(answer.status).toBe(404);
    expect((answer.json.error as { message: string }).message).toContain('traffic sampling is off');
  });
});
