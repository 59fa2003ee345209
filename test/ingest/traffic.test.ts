import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import { dumpRedis } from '../helpers/ingest.ts';
import { startTestRedis } from '../helpers/redis.ts';

const clients: Redis[] = [];
afterEach(() => {
  while (clients.length > 0) clients.pop()?.disconnect();
});

async function store(
  options: { sampleSize?: number; maxInputBytes?: number; flushAfterMs?: number } = {},
  target?: RedisTarget,
): Promise<{ traffic: TrafficStore; target: RedisTarget; redis: Redis }> {
  const where = target ?? (await startTestRedis()).target;
  const redis = connect(where, 'test-traffic');
  clients.push(redis);
  return { traffic: new TrafficStore(redis, options), target: where, redis };
}

/** Offers calls 0..count-1 of `plugin` 1.0.0, `concurrency` at a time; returns the outcomes in order. */
async function offer(traffic: TrafficStore, count: number, concurrency = 50, plugin = 'csv-import'): Promise<string[]> {
  const outcomes: string[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - start) }, (_, j) =>
      traffic.record({ plugin, version: '1.0.0', input: { call: start + j }, output: { ok: true } }),
    );
    outcomes.push(...(await Promise.all(batch)));
  }
  return outcomes;
}

describe('the traffic store', () => {
  it('keeps exactly sampleSize calls of a version however many are offered, and counts every one seen', async () => {
    const { traffic } = await store({ sampleSize: 50 });
    const outcomes = await offer(traffic, 1000);
    expect(outcomes.slice(0, 50).every((o) => o === 'kept')).toBe(true);
    expect(outcomes.filter((o) => o === 'skipped').length).toBeGreaterThan(0);
    expect(await traffic.versions('csv-import')).toEqual([{ version: '1.0.0', kept: 50, seen: 1000 }]);
    const kept = await traffic.list('csv-import', '1.0.0');
    expect(kept).toHaveLength(50);
    // Each call at most once: a slot is never filled twice by one offer.
    expect(new Set(kept.map((s) => (s.input as { call: number }).call)).size).toBe(50);
  });

  it('keeps a uniform sample: early and late calls alike, over 2,000 distinct calls', async () => {
    const { traffic } = await store({ sampleSize: 200 });
    await offer(traffic, 2000);
    const calls = (await traffic.list('csv-import', '1.0.0')).map((s) => (s.input as { call: number }).call);
    expect(calls).toHaveLength(200);
    // Each call is kept with probability 200/2000, so each tenth of the stream holds 20 of
    // the 200 kept. A reservoir that keeps the first calls (or the last) puts all 200 in
    // one tenth; chi-square over the tenths (9 degrees of freedom) passes 40 by chance
    // about once in 100,000 runs.
    const tenths = Array.from({ length: 10 }, (_, t) => calls.filter((c) => Math.floor(c / 200) === t).length);
    const chiSquare = tenths.reduce((sum, observed) => sum + (observed - 20) ** 2 / 20, 0);
    expect(chiSquare, `kept per tenth of the stream: ${tenths.join(', ')}`).toBeLessThan(40);
    const early = calls.filter((c) => c < 1000).length;
    // 100 expected, standard deviation about 6.7: 35 either way is more than 5 of them.
    expect(early).toBeGreaterThan(65);
    expect(early).toBeLessThan(135);
  });

  it('takes concurrent offers from two connections as one reservoir', async () => {
    const { traffic, target } = await store({ sampleSize: 30 });
    const { traffic: other } = await store({ sampleSize: 30 }, target);
    await Promise.all([offer(traffic, 300, 25), offer(other, 300, 25)]);
    // Each store counts the calls it skipped without Redis, and adds them on its next word with it.
    await other.flush();
    expect(await traffic.versions('csv-import')).toEqual([{ version: '1.0.0', kept: 30, seen: 600 }]);
  });

  it('skips most calls of a full reservoir without sending them, and resumes once a clear elsewhere is seen', async () => {
    // The timer that adds skipped calls within a second would fire mid-test on a busy machine: here only `flush` does.
    const { traffic, target, redis } = await store({ sampleSize: 10, flushAfterMs: 600_000 });
    await offer(traffic, 10, 1);
    const sent: string[] = [];
    const watcher = redis.duplicate();
    clients.push(watcher);
    const monitor = await watcher.monitor();
    clients.push(monitor as unknown as Redis);
    monitor.on('monitor', (_time: string, args: string[]) => sent.push(String(args[0]).toLowerCase()));
    await offer(traffic, 2000, 50);
    const { traffic: elsewhere } = await store({ sampleSize: 10 }, target);
    // Not yet counted in Redis: the skipped calls wait for this store's next word with it.
    expect((await elsewhere.versions('csv-import'))[0]?.seen).toBeLessThan(2010);
    await traffic.flush();
    expect(await elsewhere.versions('csv-import')).toEqual([{ version: '1.0.0', kept: 10, seen: 10 + 2000 }]);
    // Call n is kept with probability 10/n: about 10 ln(201) = 53 of the 2,000 can be kept. Only those went to the script.
    expect(sent.filter((command) => command === 'evalsha' || command === 'eval').length).toBeLessThan(150);

    await elsewhere.clear('csv-import');
    await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: { call: 'after' }, output: null });
    await traffic.flush();
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: { call: 'again' }, output: null })).toBe('kept');
  });

  it('scrubs a declared secret, and token-shaped values, from input and output before they reach Redis', async () => {
    const { traffic, target } = await store();
    const declared = 'plugin-declared-value-4f9a1c';
    const github = `ghp_${'a1B2c3D4e5'.repeat(3)}123456`;
    const outcome = await traffic.record(
      {
        plugin: 'webhook-verify',
        version: '2.1.0',
        input: { body: `signed with ${declared}`, headers: { authorization: `Bearer ${github}` }, note: 'kept as is' },
        output: { echoed: declared, list: [`x ${declared} y`], [declared]: 1 },
        at: '2026-01-02T03:04:05.000Z',
      },
      [declared],
    );
    expect(outcome).toBe('kept');
    const [sample] = await traffic.list('webhook-verify');
    expect(sample).toEqual({
      input: { body: 'signed with [redacted]', headers: { authorization: '[redacted]' }, note: 'kept as is' },
      output: { echoed: '[redacted]', list: ['x [redacted] y'], '[redacted]': 1 },
      at: '2026-01-02T03:04:05.000Z',
    });
    const stored = await dumpRedis(target);
    expect(stored).not.toContain(declared);
    expect(stored).not.toContain(github);
  });

  it('does not keep a call whose input or output JSON is over maxInputBytes, nor count it seen', async () => {
    const { traffic } = await store({ maxInputBytes: 2048 });
    const big = { text: 'x'.repeat(2048) };
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: big, output: {} })).toBe('too-large');
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: {}, output: big })).toBe('too-large');
    // Bytes, not characters: 1,000 three-byte characters are over 2 KiB.
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: { text: '€'.repeat(1000) }, output: {} })).toBe('too-large');
    expect(await traffic.versions('csv-import')).toEqual([]);
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: { text: 'x'.repeat(1900) }, output: {} })).toBe('kept');
    expect(traffic.oversize({ input: {}, output: big })).toEqual({ field: 'output', bytes: JSON.stringify(big).length });
    // Sized as JSON.stringify writes it, toJSON included.
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: { when: { toJSON: () => 'x'.repeat(3000) } }, output: {} })).toBe('too-large');
  });

  it('the default cap is 64 KiB of input JSON', async () => {
    const { traffic } = await store();
    const at = (chars: number): unknown => ({ t: 'x'.repeat(chars - 8) }); // {"t":""} is 8 bytes
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: at(65_536), output: null })).toBe('kept');
    expect(await traffic.record({ plugin: 'csv-import', version: '1.0.0', input: at(65_537), output: null })).toBe('too-large');
  });

  it('lists versions newest first, each with its own reservoir, and clears one plugin or all', async () => {
    const { traffic } = await store({ sampleSize: 2 });
    for (const version of ['1.2.0', '1.10.0', '1.9.0', '1.10.0', '1.10.0']) await traffic.record({ plugin: 'paginate', version, input: { version }, output: null });
    await traffic.record({ plugin: 'money-format', version: '0.1.0', input: {}, output: 1 });
    expect(await traffic.versions('paginate')).toEqual([
      { version: '1.10.0', kept: 2, seen: 3 },
      { version: '1.9.0', kept: 1, seen: 1 },
      { version: '1.2.0', kept: 1, seen: 1 },
    ]);
    expect((await traffic.list('paginate')).map((s) => (s.input as { version: string }).version)).toEqual(['1.10.0', '1.10.0', '1.9.0', '1.2.0']);
    expect(await traffic.list('paginate', '3.0.0')).toEqual([]);
    expect(await traffic.versions('unit-convert')).toEqual([]);

    // Three reservoirs and the seen counts.
    expect(await traffic.clear('paginate')).toBe(4);
    expect(await traffic.versions('paginate')).toEqual([]);
    expect(await traffic.versions('money-format')).toHaveLength(1);
    expect(await traffic.clear()).toBe(2);
    expect(await traffic.clear()).toBe(0);
  });

  it('cuts a reservoir to a smaller sampleSize on the next offer', async () => {
    const { traffic, target } = await store({ sampleSize: 10 });
    await offer(traffic, 10);
    const { traffic: smaller } = await store({ sampleSize: 4 }, target);
    await smaller.record({ plugin: 'csv-import', version: '1.0.0', input: { call: 10 }, output: null });
    expect(await smaller.versions('csv-import')).toEqual([{ version: '1.0.0', kept: 4, seen: 11 }]);
  });

  it('refuses a name or version that could reach another key', async () => {
    const { traffic } = await store();
    await expect(traffic.record({ plugin: 'a:b', version: '1.0.0', input: {}, output: {} })).rejects.toMatchObject({ code: 'E_PLUGIN_NAME' });
    await expect(traffic.record({ plugin: 'csv-import', version: '1.0.0:x', input: {}, output: {} })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(traffic.list('csv-import', 'latest')).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('the capture SDK', () => {
  it('captureTraffic records through the same store, scrubbed, and never throws', async () => {
    const { target } = await startTestRedis();
    const capture = new Capture(target, { traffic: { sampleSize: 5 } });
    try {
      const declared = 'sdk-declared-secret-91ab';
      expect(await capture.captureTraffic({ plugin: 'csv-import', version: '1.4.2', input: { key: declared }, output: `rows for ${declared}` }, [declared])).toBe('kept');
      expect(await capture.captureTraffic({ plugin: 'Not A Name', version: '1.4.2', input: {}, output: {} })).toBe('dropped');
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(await capture.captureTraffic({ plugin: 'csv-import', version: '1.4.2', input: circular, output: {} })).toBe('dropped');
      const { traffic } = await store({}, target);
      expect(await traffic.list('csv-import', '1.4.2')).toEqual([{ input: { key: '[redacted]' }, output: 'rows for [redacted]', at: expect.any(String) as string }]);
    } finally {
      await capture.close();
    }
    expect(await capture.captureTraffic({ plugin: 'csv-import', version: '1.4.2', input: {}, output: {} })).toBe('dropped');
  });
});
