import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { FileSink } from '../../orchestrator/ingest/sink.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import { openLibrary, type Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { ensureRedis, stopRedis } from '../../orchestrator/redis/server.ts';
import { fmt, median } from './stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const MANY = Number(process.env.BENCH_PLUGINS ?? 200);
const BENCH_TOKEN = 'bench-host-token';
/** Rounds of sampling off and on, each of SECONDS, each mode first in half of them: the machine's drift falls on both. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

function plugin(root: string, name: string, source: string, limits = { timeoutMs: 5000, memoryMb: 256 }): void {
  const dir = join(root, 'plugins', name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'AGENT.md'), `# ${name}\n`);
  writeFileSync(join(dir, 'src', 'index.js'), source);
  writeFileSync(
    join(dir, 'plugin.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      description: `Bench plugin ${name}.`,
      runtime: 'node',
      entry: 'src/index.js',
      test: { command: ['node', '--test'], format: 'tap' },
      limits,
      interface: { input: { type: 'object', properties: { text: { type: 'string' } } }, output: { type: 'object' } },
    }),
  );
}

interface LoadResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

/** The client runs in its own process; awaiting it keeps this event loop free to serve. */
async function load(url: string, method: string, body: string, concurrency: number): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'load-client.ts'), url, method, body, String(concurrency), String(SECONDS)],
    { encoding: 'utf8', env: { ...process.env, BENCH_HOST_TOKEN: BENCH_TOKEN } },
  );
  return JSON.parse(stdout) as LoadResult;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Memory the sandboxed workers hold, from their cgroups (the machine's own accounting). */
function workersMemoryMb(): { count: number; mb: number; rssMb: number } {
  const root = '/sys/fs/cgroup/memory/steward';
  let count = 0;
  let bytes = 0;
  let rss = 0;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    count++;
    bytes += Number(readFileSync(join(root, entry.name, 'memory.usage_in_bytes'), 'utf8'));
    for (const pid of readFileSync(join(root, entry.name, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)) {
      try {
        rss += rssMb(Number(pid));
      } catch {
        // Exited between the listing and the read.
      }
    }
  }
  return { count, mb: bytes / 1024 / 1024, rssMb: rss };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/plugins`;
}

/** A typical 1 KiB input: an order of twelve lines. */
function orderInput(): { text: string; currency: string; lines: unknown[] } {
  return {
    text: 'order 2041',
    currency: 'EUR',
    lines: Array.from({ length: 12 }, (_, j) => ({ sku: `SKU-2041-${j}`, qty: j + 1, price: 12.5 * (j + 1), note: 'standard shipping, gift wrap' })),
  };
}

/** CPU seconds Redis has used (INFO cpu): what a sample costs the server, beside what it costs the host. */
async function redisCpuSeconds(redis: ReturnType<typeof connect>): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * Traffic sampling off and on, side by side: the same trivial plugin behind two hosts,
 * one recording every success into a real Redis (as `steward host` does) and one not,
 * in alternating rounds; medians of the rounds. Throughput on a shared 2-core machine
 * moves with everything else running, so the CPU each call costs the host process and
 * Redis is measured too, and the offer alone in a loop, which the rest of the machine
 * moves least.
 */
async function samplingCost(library: Library, root: string, off: { host: PluginHost; base: string }): Promise<void> {
  const stateDir = join(root, '.steward');
  const target = await ensureRedis(stateDir);
  const redis = connect(target, 'bench-traffic');
  const store = new TrafficStore(redis, library.config.traffic);
  const sampling = new PluginHost({ library, sink: new FileSink(join(root, 'events-sampled.jsonl')), crashLimit: 1_000_000, traffic: store });
  sampling.load(['trivial']);
  const server = createHostServer(sampling, { token: BENCH_TOKEN });
  const on = { host: sampling, base: await listen(server) };
  const percent = (from: number, to: number): string => `${(((to - from) / from) * 100).toFixed(1)}%`;
  try {
    for (const [label, input] of [
      ['{"text":"hello"}', { text: 'hello' }],
      [`a ${JSON.stringify(orderInput()).length}-byte order`, orderInput()],
    ] as const) {
      const body = JSON.stringify({ input });
      await Promise.all([off.host.invoke('trivial', input), on.host.invoke('trivial', input)]);
      const runs: Record<'off' | 'on', { rate: number; p99: number; hostUs: number; redisUs: number }[]> = { off: [], on: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order: ['off' | 'on', typeof on][] = [
          ['off', off],
          ['on', on],
        ];
        for (const [mode, where] of round % 2 === 0 ? order : order.reverse()) {
          const [cpu, redisBefore] = [process.cpuUsage(), await redisCpuSeconds(redis)];
          const result = await load(`${where.base}/trivial/execute`, 'POST', body, CONCURRENCY);
          const used = process.cpuUsage(cpu);
          const redisUs = ((await redisCpuSeconds(redis)) - redisBefore) * 1e6;
          runs[mode].push({
            rate: result.perSecond,
            p99: result.p99,
            hostUs: (used.user + used.system) / result.requests,
            redisUs: redisUs / result.requests,
          });
        }
      }
      const m = (mode: 'off' | 'on', key: 'rate' | 'p99' | 'hostUs' | 'redisUs'): number => median(runs[mode].map((r) => r[key]));
      const seen = (await store.versions('trivial'))[0];
      console.log(
        `traffic sampling, input ${label}, ${CONCURRENCY} connections, median of ${ROUNDS} x ${SECONDS} s: off ${m('off', 'rate').toFixed(0)} invocations/s (p99 ${fmt(m('off', 'p99'))}), on ${m('on', 'rate').toFixed(0)} invocations/s (p99 ${fmt(m('on', 'p99'))}): ${percent(m('off', 'rate'), m('on', 'rate'))} (target: no worse than -5%); rounds off ${runs.off.map((r) => r.rate.toFixed(0)).join('/')}, on ${runs.on.map((r) => r.rate.toFixed(0)).join('/')}`,
      );
      console.log(
        `  CPU per call: host process off ${m('off', 'hostUs').toFixed(0)} us, on ${m('on', 'hostUs').toFixed(0)} us (${percent(m('off', 'hostUs'), m('on', 'hostUs'))}); Redis off ${m('off', 'redisUs').toFixed(1)} us, on ${m('on', 'redisUs').toFixed(1)} us; ${seen?.seen ?? 0} calls offered, ${seen?.kept ?? 0} kept`,
      );
      // The same offers without the machine's noise: CPU time, not wall time, over many offers to a full reservoir.
      const isolated = new TrafficStore(redis, library.config.traffic);
      const offers = 100_000;
      const offer = () => isolated.record({ plugin: 'trivial', version: '1.0.0', input, output: { text: input.text } });
      for (let i = 0; i < 1000; i++) await offer();
      const cpu = process.cpuUsage();
      for (let i = 0; i < offers; i += CONCURRENCY) await Promise.all(Array.from({ length: CONCURRENCY }, offer));
      const used = process.cpuUsage(cpu);
      const perOffer = (used.user + used.system) / offers;
      console.log(
        `  an offer in isolation (full reservoir, ${offers.toLocaleString('en')} offers, ${CONCURRENCY} at a time): ${perOffer.toFixed(2)} us CPU, ${((perOffer / m('off', 'hostUs')) * 100).toFixed(1)}% of a call's host CPU with sampling off  (target <= 5%)`,
      );
      await store.clear();
    }
  } finally {
    server.close();
    await sampling.close();
    redis.disconnect();
    await stopRedis(stateDir);
  }
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-host-'));
  mkdirSync(join(root, 'templates', 'linked'), { recursive: true });
  plugin(root, 'trivial', "export default { name: 'trivial', execute: (input) => ({ text: input.text }) };\n");
  plugin(root, 'crasher', "export default { name: 'crasher', execute() { process.exit(0); } };\n");
  plugin(root, 'sleeper', "export default { name: 'sleeper', execute() { for (;;) {} } };\n", { timeoutMs: 300, memoryMb: 256 });
  for (let i = 0; i < MANY; i++) plugin(root, `many-${String(i).padStart(3, '0')}`, "export default { name: 'x', execute: (input) => input };\n");
  const library = openLibrary({ library: root });
  const baseline = rssMb(process.pid);
  const host = new PluginHost({ library, sink: new FileSink(join(root, 'events.jsonl')), crashLimit: 1_000_000 });
  host.load();
  const loadedRss = rssMb(process.pid);
  const server = createHostServer(host, { token: BENCH_TOKEN });
  const base = await listen(server);
  try {
    await host.invoke('trivial', { text: 'warm' });
    const throughput = await load(`${base}/trivial/execute`, 'POST', JSON.stringify({ input: { text: 'hello' } }), CONCURRENCY);
    console.log(
      `execute, trivial Node plugin, ${CONCURRENCY} connections, ${SECONDS} s: ${throughput.perSecond.toFixed(0)} invocations/s, p50 ${fmt(throughput.p50)}, p99 ${fmt(throughput.p99)}  (target 1,000/s, p99 < 50 ms) statuses ${JSON.stringify(throughput.statuses)}`,
    );
    await samplingCost(library, root, { host, base });

    const quiet = await load(`${base}/trivial/health`, 'GET', '', 8);
    let chaos = true;
    let crashes = 0;
    const storm = (async () => {
      while (chaos) {
        const [a, b] = await Promise.all([host.invoke('crasher', {}), host.invoke('sleeper', {})]);
        crashes += (a && !a.ok ? 1 : 0) + (b && !b.ok ? 1 : 0);
      }
    })();
    const stormy = await load(`${base}/trivial/health`, 'GET', '', 8);
    chaos = false;
    await storm;
    console.log(`health, quiet:                         p50 ${fmt(quiet.p50)}, p99 ${fmt(quiet.p99)}, ${quiet.perSecond.toFixed(0)}/s`);
    console.log(
      `health, while plugins crash and time out: p50 ${fmt(stormy.p50)}, p99 ${fmt(stormy.p99)}, ${stormy.perSecond.toFixed(0)}/s; ${crashes} crashes/timeouts meanwhile; statuses ${JSON.stringify(stormy.statuses)}`,
    );

    console.log(`host RSS: ${baseline.toFixed(0)} MB before load, ${loadedRss.toFixed(0)} MB with ${MANY + 3} plugins loaded (workers start on first call)`);
    const names = Array.from({ length: MANY }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    const start = Date.now();
    for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map((name) => host.invoke(name, { text: 'x' })));
    const workers = workersMemoryMb();
    console.log(
      `${MANY} workers started in ${fmt(Date.now() - start)}: host RSS ${rssMb(process.pid).toFixed(0)} MB; workers charged ${workers.mb.toFixed(0)} MB to ${workers.count} cgroups (${(workers.mb / Math.max(1, workers.count)).toFixed(1)} MB each), RSS sum ${workers.rssMb.toFixed(0)} MB (shared pages counted in each)`,
    );
  } finally {
    server.close();
    await host.close();
    rmSync(root, { recursive: true, force: true });
  }
}
