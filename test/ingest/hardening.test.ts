import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import { Capture, CAPTURE_DROPS_KEY } from '../../orchestrator/ingest/capture.ts';
import { enqueueEvents } from '../../orchestrator/ingest/enqueue.ts';
import { MAX_EVENT_DEPTH, type ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { ingestRoutes } from '../../orchestrator/ingest/http.ts';
import { openQueue, QUEUES, type DeadLetter } from '../../orchestrator/ingest/queues.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { startIngestConsumer } from '../../orchestrator/ingest/ingest-consumer.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary } from '../helpers/git.ts';
import { eventOf, queueJobs } from '../helpers/ingest.ts';
import { writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const TOKEN = 'hardeningingesttoken0123456789';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function serve(options: { worker?: boolean } = {}): Promise<{ url: string; target: RedisTarget; library: Library; stateDir: string; capture: Capture }> {
  const library = await makeLibrary();
  for (const name of ['csv-x', 'money-x']) writePlugin(join(library.paths.plugins, name), name);
  const { target, stateDir } = await startTestRedis(library.paths.state);
  const capture = new Capture(target, { sendTimeoutMs: 500 });
  const producer = connect(target, 'test');
  const dead = openQueue<DeadLetter>(QUEUES.dead, producer);
  const host = new PluginHost({ library, sink: capture, env: {} });
  host.load();
  const server = createHostServer(host, { token: 'host-token', extra: ingestRoutes({ capture, dead, token: TOKEN, sentryProjects: {} }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const worker = options.worker === false ? undefined : startIngestConsumer(target, library);
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await host.close();
    await worker?.close();
    await capture.close(500);
    await dead.close();
    producer.disconnect();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, target, library, stateDir, capture };
}

/** JSON `depth` objects deep, as text: a 5,000-deep value is 30 KB, far under the size cap. */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function deepEvent(depth: number): string {
  const event = eventOf('csv-x');
  const text = JSON.stringify({ ...event, invocation: { operation: 'execute', input: '__INPUT__' } });
  return text.replace('"__INPUT__"', nested(depth));
}

describe('deeply nested events', () => {
  it('POST /v1/events refuses one with a reason and reads every line after it', async () => {
    const { url, target } = await serve();
    const [first, last] = [eventOf('csv-x'), eventOf('csv-x')];
    const body = [JSON.stringify(first), deepEvent(5000), JSON.stringify(last)].join('\n');
    const answer = await fetch(`${url}/v1/events`, { method: 'POST', body, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(202);
    const json = (await answer.json()) as { accepted: string[]; rejected: { line: number; reason: string }[] };
    expect(json.accepted).toEqual([first.id, last.id]);
    expect(json.rejected).toEqual([{ line: 2, reason: `event nests more than ${MAX_EVENT_DEPTH} levels deep` }]);
    await waitForDrain(target, 10_000);
    expect((await queueJobs(target)).dead.map((d) => d.reason)).toEqual([`event nests more than ${MAX_EVENT_DEPTH} levels deep`]);
  });

  it("on the queue path, lands in the dead-letter queue with its reason, not in BullMQ's failed set", async () => {
    const { target } = await serve();
    const redis = connect(target, 'raw-producer');
    const errors = openQueue<unknown>(QUEUES.errors, redis);
    cleanups.push(async () => {
      await errors.close();
      redis.disconnect();
    });
    // Another producer's job, as deep as its own JSON serialiser lets it make one.
    await errors.add('event', JSON.parse(deepEvent(1000)) as unknown, { jobId: 'deep-one' });
    await waitForDrain(target, 10_000);
    const dead = (await queueJobs(target)).dead;
    expect(dead.map((d) => [d.reason, d.source])).toEqual([[`event nests more than ${MAX_EVENT_DEPTH} levels deep`, 'queue']]);
    expect(await errors.getJobCounts('failed')).toEqual({ failed: 0 });
  });

  it('an event whose processing keeps throwing is dead-lettered after its last attempt', async () => {
    const { target } = await serve();
    const redis = new Redis(target.options);
    // The triage queue's job counter is damaged: every time the new group is sent to triage, it fails.
    await redis.set('steward:q:triage:id', 'not a number');
    const errors = openQueue<unknown>(QUEUES.errors, redis);
    cleanups.push(async () => {
      await errors.close();
      redis.disconnect();
    });
    const event = eventOf('money-x');
    await errors.add('event', event, { jobId: 'throws', attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    const deadline = Date.now() + 20_000;
    let dead: DeadLetter[] = [];
    while (Date.now() < deadline && dead.length === 0) {
      dead = (await queueJobs(target)).dead;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]?.reason).toMatch(/^processing failed 2 times: .*not an integer/);
    expect((dead[0]?.raw as { id: string }).id).toBe(event.id);
    expect(await errors.getJobCounts('failed')).toEqual({ failed: 0 });
  }, 30_000);
});

describe('Sentry envelopes', () => {
  it('hold each event item to the 256 KiB cap', async () => {
    const { url, target, library } = await serve();
    const big = { event_id: 'a'.repeat(32), platform: 'node', release: 'csv-x@1.0.0', exception: { values: [{ type: 'Error', value: 'x'.repeat(10 * 1024 * 1024) }] } };
    const payload = JSON.stringify(big);
    const envelope = [JSON.stringify({ event_id: big.event_id }), JSON.stringify({ type: 'event', length: Buffer.byteLength(payload) }), payload].join('\n');
    const answer = await fetch(`${url}/api/1/envelope/?sentry_key=${TOKEN}`, { method: 'POST', body: gzipSync(envelope), headers: { 'content-encoding': 'gzip' } });
    expect(answer.status).toBe(200);
    await waitForDrain(target, 10_000);
    const dead = (await queueJobs(target)).dead;
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/more than 262144/)]);
    expect(JSON.stringify(dead).length).toBeLessThan(64 * 1024);
    const list = steward(['--library', library.root, 'errors', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { groups: unknown[] }).groups).toEqual([]);
  });
});

describe('when Redis is away or full', () => {
  it('POST /v1/events answers 503 and says none was accepted', async () => {
    const { url, stateDir } = await serve({ worker: false });
    await stopRedis(stateDir);
    const event = eventOf('csv-x');
    const answer = await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify(event), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(503);
    const json = (await answer.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ accepted: [], notAccepted: [event.id], error: { type: 'Unavailable' } });
  }, 30_000);

  it('the capture SDK counts what it drops at shutdown and when Redis refuses writes, and reports the tally', async () => {
    const { target, capture } = await serve({ worker: false });
    const admin = new Redis(target.options);
    cleanups.push(async () => admin.disconnect());
    // Full: maxmemory below what is used, and noeviction, as steward configures its Redis.
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.set('ballast', 'x'.repeat(2 * 1024 * 1024));
    await admin.config('SET', 'maxmemory', '1mb');
    for (let i = 0; i < 3; i++) capture.capture(eventOf('csv-x'));
    expect(await capture.flush(5000)).toBe(true);
    expect(capture.getStats()).toMatchObject({ sent: 0, buffered: 0, dropped: 3, droppedBy: { 'redis-full': 3 } });
    await admin.config('SET', 'maxmemory', '0');
    // The next send succeeds and carries the tally to Redis, where `steward status` reads it.
    capture.capture(eventOf('csv-x'));
    expect(await capture.flush(5000)).toBe(true);
    expect(await admin.hgetall(CAPTURE_DROPS_KEY)).toEqual({ 'redis-full': '3' });
  });

  it('a capture closed while Redis is down counts every unsent event as dropped at shutdown', async () => {
    const { capture, stateDir } = await serve({ worker: false });
    await stopRedis(stateDir);
    for (let i = 0; i < 4; i++) capture.capture(eventOf('csv-x'));
    const stats = await capture.close(300);
    expect(stats).toMatchObject({ sent: 0, buffered: 0, dropped: 4, droppedBy: { shutdown: 4 } });
  }, 30_000);
});

describe('errors capture when Redis goes midway', () => {
  it('says exactly how many of the file it queued, with its own exit status', async () => {
    const { library, target } = await serve({ worker: false });
    const events = Array.from({ length: 3000 }, () => eventOf('csv-x', { invocation: { operation: 'execute', input: { text: 'y'.repeat(6000) } } }));
    const file = join(library.root, 'events.ndjson');
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    // A Redis capped at 16 MiB (noeviction) takes some of the 18 MB of events, not all:
    // it starts refusing writes part of the way, as a Redis that fills up or goes away does.
    const config = (maxMemoryMb: number): void => writeFileSync(join(library.root, 'steward.config.json'), JSON.stringify({ redis: { maxMemoryMb } }));
    config(16);
    const result = steward(['--library', library.root, 'errors', 'capture', '--file', file]);
    expect(result.code, result.stderr).toBe(3);
    const queued = Number(/queued (\d+) of 3000 event\(s\)/.exec(result.stderr)?.[1]);
    expect(queued).toBeGreaterThan(0);
    expect(queued).toBeLessThan(3000);
    expect(result.stderr).toContain('E_PARTIAL');
    const admin = new Redis(target.options);
    cleanups.push(async () => admin.disconnect());
    const errors = openQueue<ErrorEvent>(QUEUES.errors, admin);
    cleanups.push(() => errors.close());
    expect(await errors.count()).toBe(queued);
    // The list of what was not queued is exact: together with the queue, every event once.
    const rest = readFileSync(`${file}.not-queued.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as ErrorEvent).id);
    expect(rest).toHaveLength(3000 - queued);
    const inQueue = (await errors.getJobs(['waiting'], 0, -1)).map((job) => job.data.id);
    expect(new Set([...rest, ...inQueue])).toEqual(new Set(events.map((e) => e.id)));

    // Once there is room, the same command queues only what was missing.
    config(1024);
    const again = steward(['--library', library.root, 'errors', 'capture', '--file', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(await errors.count()).toBe(3000);
  }, 120_000);

  it('queues nothing and exits 2 when Redis cannot be reached at all', async () => {
    const { target, library } = await serve({ worker: false });
    const result = await enqueueEvents({ ...target, options: { host: '127.0.0.1', port: 1 } }, [eventOf('csv-x')], { timeoutMs: 500 });
    expect(result).toMatchObject({ queued: 0, total: 1, notQueued: [0] });
    expect(result.error).toBeDefined();
    const file = join(library.root, 'one.json');
    writeFileSync(file, JSON.stringify(eventOf('csv-x')));
    const cli = steward(['--library', library.root, 'errors', 'capture', '--file', file], { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(cli.code, cli.stderr).toBe(2);
    expect(cli.stderr).toContain('E_REDIS_UNREACHABLE: no event was queued');
  }, 60_000);
});
