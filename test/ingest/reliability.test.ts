import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openQueue, QUEUES } from '../../orchestrator/ingest/queues.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { startIngestConsumer } from '../../orchestrator/ingest/ingest-consumer.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { ensureRedis, stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { makeLibrary, STEWARD_ROOT } from '../helpers/git.ts';
import { dumpRedis, eventOf, queueJobs } from '../helpers/ingest.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(): Promise<{ library: Library; target: RedisTarget; stateDir: string }> {
  const library = await makeLibrary();
  for (const name of ['alpha', 'beta']) writePlugin(join(library.paths.plugins, name), name);
  writePlugin(join(library.paths.plugins, 'hooks'), 'hooks', {
    manifest: manifestFor('hooks', { env: [{ name: 'HOOKS_SIGNING_SECRET', required: true, secret: true }] }),
  });
  const { target, stateDir } = await startTestRedis(library.paths.state);
  return { library, target, stateDir };
}

/** 10,000 events over 5 groups; returns how many each group was sent. */
function stream(n: number): { events: ReturnType<typeof eventOf>[]; sent: Map<string, number> } {
  const events: ReturnType<typeof eventOf>[] = [];
  const sent = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${i % 2 ? 'alpha' : 'beta'}:f${i % 5}`;
    const [plugin, fn] = key.split(':') as [string, string];
    events.push(eventOf(plugin, { fn, line: 10 + (i % 7), pluginVersion: `1.${i % 3}.0` }));
    sent.set(key, (sent.get(key) ?? 0) + 1);
  }
  return { events, sent };
}

async function countsByKey(target: RedisTarget): Promise<Map<string, number>> {
  const redis = connect(target, 'test-count');
  try {
    const groups = await new GroupStore(redis).list();
    const samples = await Promise.all(groups.map((g) => new GroupStore(redis).samples(g.id)));
    const out = new Map<string, number>();
    groups.forEach((g, i) => {
      const frame = (samples[i]?.[0] as { frames: { function: string | null }[] } | undefined)?.frames[0];
      out.set(`${g.plugin}:${frame?.function ?? '?'}`, g.count);
    });
    return out;
  } finally {
    redis.disconnect();
  }
}

function workerProcess(library: Library): ChildProcess {
  const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), 'errors', 'work', '--concurrency', '16'], {
    cwd: library.root,
    env: { ...process.env, STEWARD_LIBRARY: '' },
    stdio: 'ignore',
  });
  cleanups.push(async () => child.kill('SIGKILL'));
  return child;
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const total = async (target: RedisTarget): Promise<number> => [...(await countsByKey(target)).values()].reduce((a, b) => a + b, 0);

describe('ingest reliability (real Redis, real processes)', () => {
  it('kill -9 of a worker in the middle of 10,000 events: every event is counted exactly once', async () => {
    const { library, target } = await setup();
    const { events, sent } = stream(10_000);
    const capture = new Capture(target);
    cleanups.push(() => capture.close());
    for (const event of events.slice(0, 6000)) capture.capture(event);
    expect(await capture.flush(30_000)).toBe(true);

    const doomed = workerProcess(library);
    await until(async () => (await total(target)) >= 1500, 60_000);
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed.once('exit', resolve));
    const atKill = await total(target);
    expect(atKill).toBeLessThan(6000);

    for (const event of events.slice(6000)) capture.capture(event);
    expect(await capture.flush(30_000)).toBe(true);
    const survivor = startIngestConsumer(target, library, { concurrency: 16 });
    cleanups.push(() => survivor.close());
    expect(await waitForDrain(target, 90_000)).toBe(true);

    expect(await countsByKey(target)).toEqual(sent);
    expect(await total(target)).toBe(10_000);
    expect((await queueJobs(target)).dead).toEqual([]);
  });

  it('Redis restarted in the middle of the stream: nothing is lost (AOF, buffered capture)', async () => {
    const { library, target, stateDir } = await setup();
    const worker = startIngestConsumer(target, library, { concurrency: 16 });
    cleanups.push(() => worker.close());
    const capture = new Capture(target, { bufferSize: 20_000 });
    cleanups.push(() => capture.close());
    const { events, sent } = stream(10_000);
    for (const event of events.slice(0, 5000)) capture.capture(event);
    await until(async () => (await total(target)) >= 1000, 60_000);

    await stopRedis(stateDir);
    // While Redis is down the capture keeps its events, and never throws.
    for (const event of events.slice(5000)) capture.capture(event);
    expect(capture.getStats().buffered).toBeGreaterThan(0);
    await ensureRedis(stateDir);

    expect(await capture.flush(60_000)).toBe(true);
    expect(capture.getStats().dropped).toBe(0);
    await until(async () => (await total(target)) === 10_000, 90_000);
    expect(await waitForDrain(target, 30_000)).toBe(true);
    expect(await countsByKey(target)).toEqual(sent);
  });

  it('1,000 malformed events of 20 kinds all land in the dead-letter queue with reasons, and the worker keeps going', async () => {
    const { library, target } = await setup();
    const good = eventOf('alpha');
    const noId: Record<string, unknown> = { ...good };
    delete noId.id;
    const noLevel: Record<string, unknown> = { ...good };
    delete noLevel.level;
    const kinds: [string, unknown][] = [
      ['not an object', 'just text'],
      ['a number', 42],
      ['an array', [good]],
      ['null', null],
      ['missing id', noId],
      ['id too long', { ...good, id: 'x'.repeat(129) }],
      ['id not a string', { ...good, id: 7 }],
      ['bad timestamp', { ...good, timestamp: 'yesterday' }],
      ['missing plugin', { ...good, plugin: undefined }],
      ['unknown plugin', { ...good, plugin: 'no-such-plugin' }],
      ['missing version', { ...good, pluginVersion: undefined }],
      ['bad level', { ...good, level: 'loud' }],
      ['missing level', noLevel],
      ['missing error', { ...good, error: undefined }],
      ['missing error type', { ...good, error: { message: 'x' } }],
      ['message not a string', { ...good, error: { type: 'E', message: 5 } }],
      ['unknown field', { ...good, colour: 'red' }],
      ['unknown error field', { ...good, error: { ...good.error, severity: 1 } }],
      ['tags not strings', { ...good, tags: { tenant: 9 } }],
      ['invocation not an object', { ...good, invocation: 'execute' }],
      ['host not an object', { ...good, host: 'web-1' }],
      ['too large', { ...good, error: { ...good.error, message: 'x'.repeat(300 * 1024) } }],
    ];
    const redis = connect(target, 'test-raw');
    const errors = openQueue<unknown>(QUEUES.errors, redis);
    cleanups.push(async () => {
      await errors.close();
      redis.disconnect();
    });
    const jobs = Array.from({ length: 1000 }, (_, i) => {
      const [, raw] = kinds[i % kinds.length] ?? ['', null];
      const data = kinds[i % kinds.length]?.[0] === 'too large' && i >= kinds.length ? { ...good, colour: `large-${i}` } : raw;
      return { name: 'event', data: data === null ? null : data, opts: { jobId: `bad-${i}` } };
    });
    for (let i = 0; i < jobs.length; i += 200) await errors.addBulk(jobs.slice(i, i + 200));
    await errors.add('event', good, { jobId: good.id });
    const worker = startIngestConsumer(target, library, { concurrency: 16 });
    cleanups.push(() => worker.close());
    expect(await waitForDrain(target, 60_000)).toBe(true);

    const dead = (await queueJobs(target)).dead;
    expect(dead).toHaveLength(1000);
    expect(dead.every((d) => d.reason.length > 0 && d.source === 'queue')).toBe(true);
    expect(new Set(dead.map((d) => d.reason.replace(/\d+/g, 'N').replace(/"[^"]*"/g, 'S'))).size).toBeGreaterThanOrEqual(20);
    expect((await worker.ingest.groups.list()).map((g) => g.count)).toEqual([1]);
  });

  it('secrets in 15 forms, sent three ways, are never stored, shown or queued', async () => {
    const { library, target } = await setup();
    const secrets = [
      'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS',
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      'hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dcABCD',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'npm_abcdefghijklmnopqrstuvwxyz0123456789',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      's3cr3t-url-password-777',
      'Bearer-token-value-abcdef123456',
      'hunter2-in-a-password-key',
      'api-key-value-998877',
      'plugin-own-signing-secret-31415',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
    ];
    const [gh, ghPat, akia, awsSecret, slack, slackHook, stripe, google, npm, jwt, urlPassword, bearer, password, apiKey, own, pem] = secrets;
    const message = `failed with ${gh} and ${ghPat}; key ${akia} aws_secret_access_key=${awsSecret}; slack ${slack} https://${slackHook}; ${stripe} ${google} ${npm} jwt ${jwt}; postgres://app:${urlPassword}@db.internal:5432/x; Authorization: Bearer ${bearer}; own ${own}`;
    const input = {
      url: `https://svc:${urlPassword}@api.example.com/v1`,
      password,
      nested: [{ api_key: apiKey }, { note: `token=${gh}` }],
      pem: `-----BEGIN PRIVATE KEY-----\n${pem}\n-----END PRIVATE KEY-----`,
    };
    const env = { ...process.env, HOOKS_SIGNING_SECRET: own ?? '' };
    const worker = startIngestConsumer(target, library, { env });
    cleanups.push(() => worker.close());

    // 1: the SDK, which scrubs before anything leaves the process (it is told the plugin's secrets).
    const capture = new Capture(target);
    cleanups.push(() => capture.close());
    capture.captureError(new Error(message), {
      plugin: 'hooks',
      version: '1.0.0',
      invocation: { operation: 'execute', input },
      tags: { token: gh ?? '', region: 'eu' },
      secrets: [own ?? ''],
    });
    // 2 and 3: raw on the queue (a third-party producer) and a malformed one bound for the dead letters;
    // the worker scrubs both before storing.
    const redis = connect(target, 'test-secrets');
    const errors = openQueue<unknown>(QUEUES.errors, redis);
    cleanups.push(async () => {
      await errors.close();
      redis.disconnect();
    });
    const raw = eventOf('hooks', {
      error: { type: 'AuthError', message, stack: `AuthError: ${message}\n    at sign (src/sign.js:3:9)` },
      invocation: { operation: 'execute', input },
      tags: { authorization: `Bearer ${bearer}` },
    });
    await errors.add('event', raw, { jobId: raw.id });
    await errors.add('event', { ...raw, id: 'malformed-with-secrets', level: 'loud' }, { jobId: 'malformed-with-secrets' });
    expect(await capture.flush()).toBe(true);
    expect(await waitForDrain(target, 30_000)).toBe(true);

    const stored = await dumpRedis(target);
    for (const secret of secrets) expect(stored, `secret ${secret} leaked`).not.toContain(secret);
    expect(stored).toContain('[redacted]');
    expect(stored).toContain('db.internal');
    expect((await worker.ingest.groups.list()).reduce((n, g) => n + g.count, 0)).toBe(2);
    expect((await queueJobs(target)).dead).toHaveLength(1);
  });
});
