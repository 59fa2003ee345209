import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../orchestrator/ingest/sink.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { fmt } from './stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const MANY = Number(process.env.BENCH_PLUGINS ?? 200);
const BENCH_TOKEN = 'bench-host-token';

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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/plugins`;
  try {
    await host.invoke('trivial', { text: 'warm' });
    const throughput = await load(`${base}/trivial/execute`, 'POST', JSON.stringify({ input: { text: 'hello' } }), CONCURRENCY);
    console.log(
      `execute, trivial Node plugin, ${CONCURRENCY} connections, ${SECONDS} s: ${throughput.perSecond.toFixed(0)} invocations/s, p50 ${fmt(throughput.p50)}, p99 ${fmt(throughput.p99)}  (target 1,000/s, p99 < 50 ms) statuses ${JSON.stringify(throughput.statuses)}`,
    );

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
