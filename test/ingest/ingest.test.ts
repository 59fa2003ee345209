import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { startIngestConsumer, type RunningIngestConsumer } from '../../orchestrator/ingest/ingest-consumer.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary } from '../helpers/git.ts';
import { eventOf, queueJobs, takeTriage } from '../helpers/ingest.ts';
import { writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const open: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.();
});

async function setup(): Promise<{ library: Library; target: RedisTarget; capture: Capture; worker: RunningIngestConsumer }> {
  const library = await makeLibrary();
  for (const name of ['csv-x', 'money-x']) writePlugin(join(library.paths.plugins, name), name);
  const { target } = await startTestRedis(library.paths.state);
  const capture = new Capture(target);
  const worker = startIngestConsumer(target, library, { concurrency: 8 });
  open.push(
    () => capture.close(),
    () => worker.close(),
  );
  return { library, target, capture, worker };
}

async function settle(capture: Capture, target: RedisTarget): Promise<void> {
  expect(await capture.flush()).toBe(true);
  expect(await waitForDrain(target, 30_000)).toBe(true);
}

describe('ingest: capture, queue, worker, groups', () => {
  it('groups equal errors across versions and line numbers, and keeps counts, versions and capped samples', async () => {
    const { target, capture, worker } = await setup();
    for (let i = 0; i < 15; i++) capture.capture(eventOf('csv-x', { pluginVersion: i < 10 ? '1.0.0' : '1.1.0', line: i < 10 ? 53 : 61 }));
    capture.capture(eventOf('csv-x', { fn: 'parseRow' }));
    capture.capture(eventOf('money-x'));
    await settle(capture, target);

    const groups = await worker.ingest.groups.list();
    expect(groups.map((g) => [g.plugin, g.count]).sort()).toEqual([
      ['csv-x', 1],
      ['csv-x', 15],
      ['money-x', 1],
    ]);
    const big = groups.find((g) => g.count === 15);
    expect(big?.versions).toEqual(['1.0.0', '1.1.0']);
    expect(big?.status).toBe('new');
    expect(await worker.ingest.groups.samples(big?.id ?? '')).toHaveLength(10);
    expect((await worker.ingest.groups.list({ plugin: 'money-x' })).map((g) => g.plugin)).toEqual(['money-x']);
  });

  it('the same event id twice is one event', async () => {
    const { target, capture, worker } = await setup();
    const event = eventOf('csv-x');
    capture.capture(event);
    capture.capture(event);
    await settle(capture, target);
    await worker.ingest.process(event, 'again');
    expect((await worker.ingest.groups.list())[0]?.count).toBe(1);
  });

  it('sends a group to triage when new, once; again past the threshold; and when a resolved group regresses', async () => {
    const { library, target, capture, worker } = await setup();
    library.config.ingest.threshold = { events: 5, windowSeconds: 3600 };
    capture.capture(eventOf('csv-x'));
    capture.capture(eventOf('csv-x'));
    await settle(capture, target);
    const [group] = await worker.ingest.groups.list();
    const id = group?.id ?? '';
    // Two events, one pending triage job: a group is never queued twice at once.
    expect(await takeTriage(target)).toEqual([{ group: id, plugin: 'csv-x', reason: 'new' }]);

    await worker.ingest.groups.transition(id, 'triaged');
    capture.capture(eventOf('csv-x'));
    capture.capture(eventOf('csv-x'));
    await settle(capture, target);
    expect(await takeTriage(target)).toEqual([]);
    capture.capture(eventOf('csv-x'));
    await settle(capture, target);
    expect((await takeTriage(target)).map((t) => t.reason)).toEqual(['threshold']);
    // Within the same window, more events do not send it again.
    for (let i = 0; i < 6; i++) capture.capture(eventOf('csv-x'));
    await settle(capture, target);
    expect(await takeTriage(target)).toEqual([]);

    await worker.ingest.groups.transition(id, 'resolved', { resolvedIn: '1.2.0' });
    capture.capture(eventOf('csv-x', { pluginVersion: '1.1.9' }));
    await settle(capture, target);
    expect((await worker.ingest.groups.get(id))?.status).toBe('resolved');
    expect(await takeTriage(target)).toEqual([]);
    capture.capture(eventOf('csv-x', { pluginVersion: '1.2.0' }));
    await settle(capture, target);
    expect((await worker.ingest.groups.get(id))?.status).toBe('regressed');
    expect((await takeTriage(target)).map((t) => t.reason)).toEqual(['regressed']);
    expect((await worker.ingest.groups.get(id))?.triagePending).toBeNull();
  });

  it('rejects bad events to the dead-letter queue with a reason naming the field, and keeps going', async () => {
    const { target, worker } = await setup();
    const bad: [unknown, string][] = [
      [{ ...eventOf('csv-x'), level: 'loud' }, '$.level'],
      [{ ...eventOf('csv-x'), plugin: 'nope' }, '$.plugin'],
      [{ ...eventOf('csv-x'), extra: 1 }, '$.extra'],
      ['just text', '$'],
    ];
    for (const [raw, path] of bad) expect(await worker.ingest.process(raw, `bad-${path}`)).toMatchObject({ status: 'rejected' });
    expect((await worker.ingest.process(eventOf('csv-x'), 'good')).status).toBe('grouped');
    const dead = (await queueJobs(target)).dead;
    expect(dead.map((d) => d.path).sort()).toEqual(['$', '$.extra', '$.level', '$.plugin']);
    expect(dead.find((d) => d.path === '$.plugin')?.reason).toContain('unknown plugin "nope"');
  });

  it('errors list, show and dlq from the command line', async () => {
    const { library, target, capture, worker } = await setup();
    capture.capture(eventOf('csv-x'));
    await settle(capture, target);
    await worker.ingest.process({ nope: true }, 'cli-bad');
    const cwd = library.root;
    const list = JSON.parse(steward(['errors', 'list', '--json'], { cwd }).stdout) as { groups: { id: string; plugin: string; count: number }[] };
    expect(list.groups.map((g) => [g.plugin, g.count])).toEqual([['csv-x', 1]]);
    const id = list.groups[0]?.id ?? '';
    const show = steward(['errors', 'show', id.slice(0, 8)], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("TypeError: Cannot read properties of undefined (reading 'trim')");
    expect(show.stdout).toMatch(/in-app\s+toRecords\s+src\/records\.js:53/);
    expect(steward(['errors', 'show', 'ffffffffffff'], { cwd }).code).toBe(2);
    expect(steward(['errors', 'list', '--status', 'bogus'], { cwd }).code).toBe(2);
    const dlq = JSON.parse(steward(['errors', 'dlq', '--json'], { cwd }).stdout) as { deadLetters: { reason: string }[] };
    expect(dlq.deadLetters).toHaveLength(1);
    expect(steward(['errors', 'dlq', '--requeue'], { cwd }).stdout).toContain('requeued 1 of 1');
    await waitForDrain(target, 10_000);
    expect((await queueJobs(target)).dead).toHaveLength(1);
  });
});

describe('the capture SDK', () => {
  it('never throws and keeps a bounded buffer while Redis is unreachable, counting what it drops', async () => {
    const capture = new Capture({ options: { host: '127.0.0.1', port: 1 }, describe: 'nowhere', managed: false }, { bufferSize: 10, sendTimeoutMs: 200 });
    const ids: (string | undefined)[] = [];
    for (let i = 0; i < 25; i++) ids.push(capture.captureError(new Error(`boom ${i}`), { plugin: 'csv-x', version: '1.0.0' }));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(capture.getStats()).toMatchObject({ sent: 0, buffered: 10, dropped: 15, droppedBy: { 'buffer-full': 15 } });
    expect(await capture.flush(300)).toBe(false);
    expect(await capture.close(100)).toMatchObject({ sent: 0, buffered: 0, dropped: 25, droppedBy: { 'buffer-full': 15, shutdown: 10 } });
  });

  it('steward errors capture --file queues events from a file, all or none', async () => {
    const { library, target, worker } = await setup();
    const { writeFileSync } = await import('node:fs');
    const good = join(library.root, 'events.ndjson');
    writeFileSync(good, [eventOf('csv-x'), eventOf('money-x')].map((e) => JSON.stringify(e)).join('\n'));
    const ok = steward(['errors', 'capture', '--file', good], { cwd: library.root });
    expect(ok.stdout).toContain('queued 2 event(s)');
    await waitForDrain(target, 10_000);
    expect((await worker.ingest.groups.list()).length).toBe(2);
    const bad = join(library.root, 'bad.json');
    writeFileSync(bad, JSON.stringify([eventOf('csv-x'), { ...eventOf('csv-x'), level: 'loud' }]));
    const refused = steward(['errors', 'capture', '--file', bad], { cwd: library.root });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('event 2 rejected: $.level');
    await waitForDrain(target, 10_000);
    expect((await worker.ingest.groups.list()).reduce((n, g) => n + g.count, 0)).toBe(2);
  });
});

describe('event ids BullMQ would refuse as job ids', () => {
  it('an id with ":" or an all-digit id is queued and grouped, and does not block the events behind it', async () => {
    const { target, capture, worker } = await setup();
    for (const id of ['tenant:42', '12345', 'ordinary-id']) capture.capture(eventOf('csv-x', { id }));
    await settle(capture, target);
    expect(capture.getStats()).toMatchObject({ sent: 3, buffered: 0, dropped: 0 });
    expect((await worker.ingest.groups.list())[0]?.count).toBe(3);
  });
});
