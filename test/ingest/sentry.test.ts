import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { ingestRoutes } from '../../orchestrator/ingest/http.ts';
import { openQueue, QUEUES, type DeadLetter } from '../../orchestrator/ingest/queues.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { startIngestConsumer } from '../../orchestrator/ingest/ingest-consumer.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { makeLibrary } from '../helpers/git.ts';
import { dumpRedis, eventOf, queueJobs } from '../helpers/ingest.ts';
import { writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

// A Sentry DSN's key is word characters only, as steward's generated tokens are.
const TOKEN = 'testingesttoken0123456789abcdef';

function client(dsn: string, mode: string): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [join(import.meta.dirname, '../fixtures/sentry-client.mjs'), dsn, mode], { encoding: 'utf8', timeout: 30_000 });
}
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function serve() {
  const library = await makeLibrary();
  for (const name of ['csv-x', 'money-x']) writePlugin(join(library.paths.plugins, name), name);
  const { target } = await startTestRedis(library.paths.state);
  const capture = new Capture(target);
  const producer = connect(target, 'test');
  const dead = openQueue<DeadLetter>(QUEUES.dead, producer);
  const host = new PluginHost({ library, sink: capture, env: {} });
  host.load();
  const server = createHostServer(host, { token: 'host-token-for-tests', extra: ingestRoutes({ capture, dead, token: TOKEN, sentryProjects: { '7': 'csv-x' } }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const worker = startIngestConsumer(target, library);
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await host.close();
    await worker.close();
    await capture.close();
    await dead.close();
    producer.disconnect();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, target, worker };
}

describe('HTTP ingest', () => {
  it('POST /v1/events takes one event or NDJSON with the token, 401 without, and names what it rejects', async () => {
    const { url, target, worker } = await serve();
    const one = eventOf('csv-x');
    expect((await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify(one) })).status).toBe(401);
    expect((await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify(one), headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const accepted = await fetch(`${url}/v1/events`, { method: 'POST', body: JSON.stringify(one), headers: { authorization: `Bearer ${TOKEN}` } });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ accepted: [one.id], rejected: [] });

    const two = eventOf('csv-x');
    const ndjson = [
      JSON.stringify(two),
      '{not json',
      JSON.stringify({ ...eventOf('csv-x'), level: 'loud' }),
      JSON.stringify(eventOf('csv-x', { error: { type: 'E', message: 'x'.repeat(300 * 1024) } })),
    ].join('\n');
    const mixed = await fetch(`${url}/v1/events`, { method: 'POST', body: ndjson, headers: { 'x-steward-token': TOKEN, 'content-type': 'application/x-ndjson' } });
    expect(mixed.status).toBe(202);
    const body = (await mixed.json()) as { accepted: string[]; rejected: { line: number; reason: string }[] };
    expect(body.accepted).toEqual([two.id]);
    expect(body.rejected.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(body.rejected[1]?.reason).toContain('$.level');
    expect(body.rejected[2]?.reason).toMatch(/more than 262144/);

    await waitForDrain(target, 10_000);
    expect((await worker.ingest.groups.list())[0]?.count).toBe(2);
    expect((await queueJobs(target)).dead).toHaveLength(3);
  });
});

describe('Sentry compatibility', () => {
  it('the official @sentry/node client reports to steward by changing its DSN', async () => {
    const { url, target, worker } = await serve();
    const dsn = url.replace('http://', `http://${TOKEN}@`) + '/7';
    // The client runs in its own process, as an instrumented plugin host would; never spawnSync,
    // which would stop this process's server from answering.
    for (const mode of ['tags', 'release']) {
      const run = await client(dsn, mode);
      expect(run.stdout.trim(), run.stderr).toBe('flushed');
    }
    await waitForDrain(target, 10_000);
    const groups = await worker.ingest.groups.list();
    expect(groups.map((g) => [g.plugin, g.type, g.versions.join()]).sort()).toEqual([
      ['csv-x', 'TypeError', '2.3.1'],
      ['money-x', 'TypeError', '3.0.4'],
    ]);
    const csv = groups.find((g) => g.plugin === 'csv-x');
    expect(csv?.message).toContain("reading 'trim'");
    const [sample] = (await worker.ingest.groups.samples(csv?.id ?? '')) as {
      event: { tags: Record<string, string>; invocation: { input: Record<string, string> } };
      frames: { function: string | null; inApp: boolean }[];
    }[];
    expect(sample?.event.tags).toEqual({ tenant: 't-9' });
    expect(sample?.event.invocation.input.password).toBe('[redacted]');
    expect(sample?.frames.some((f) => f.function === 'toRecords')).toBe(true);
    expect(await dumpRedis(target)).not.toContain('hunter2-sentry-secret');

    await client(url.replace('http://', 'http://wrong@') + '/7', 'tags');
    await waitForDrain(target, 5000);
    expect((await worker.ingest.groups.list()).reduce((n, g) => n + g.count, 0)).toBe(2);
  });
});
