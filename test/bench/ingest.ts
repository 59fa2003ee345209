import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { ensureRedis, stopRedis } from '../../orchestrator/redis/server.ts';
import { progress } from '../../orchestrator/cli/output.ts';
import { fmt } from './stats.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const GROUPS = Math.max(1, Math.round(EVENTS / 100));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const STEWARD = join(import.meta.dirname, '..', '..', 'orchestrator', 'cli', 'steward.js');

function events(): ErrorEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const g = i % GROUPS;
    return {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      plugin: `bench-${g % 10}`,
      pluginVersion: `1.${i % 3}.0`,
      level: 'error',
      error: {
        type: 'TypeError',
        message: `Cannot read properties of undefined (reading 'field${g}')`,
        stack: `TypeError: Cannot read properties of undefined (reading 'field${g}')\n    at handler${g} (src/handlers.js:${10 + (i % 9)}:7)\n    at Object.execute (src/index.js:12:3)`,
      },
      invocation: { operation: 'execute', input: { row: i, text: 'a,b,c' } },
    };
  });
}

function rss(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** 100,000 events (1% distinct groups) through steward's path, beside raw BullMQ with the same payloads. */
export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sb-ingest-'));
  const stateDir = join(root, '.steward');
  mkdirSync(join(root, 'templates', 'linked'), { recursive: true });
  for (let p = 0; p < 10; p++) {
    const dir = join(root, 'plugins', `bench-${p}`);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'index.js'), 'export default { execute: () => ({}) };\n');
    writeFileSync(join(dir, 'AGENT.md'), '# bench\n');
    writeFileSync(
      join(dir, 'plugin.json'),
      JSON.stringify({ name: `bench-${p}`, version: '1.0.0', description: 'Bench.', runtime: 'node', entry: 'src/index.js', test: { command: ['true'], format: 'exit-code' } }),
    );
  }
  const target = await ensureRedis(stateDir);
  const redis = new Redis(target.options);
  const payloads = events();
  try {
    // Raw BullMQ: add in the same batches the capture SDK uses, consume with an empty processor.
    const raw = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'raw-worker.ts'), JSON.stringify(target.options), String(CONCURRENCY)], { stdio: 'inherit' });
    const queue = new Queue('raw', { connection: redis, prefix: 'bench', defaultJobOptions: { removeOnComplete: true } });
    const rawStart = Date.now();
    for (let i = 0; i < payloads.length; i += 500) await queue.addBulk(payloads.slice(i, i + 500).map((data) => ({ name: 'event', data, opts: { jobId: data.id } })));
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const rawMs = Date.now() - rawStart;
    await stop(raw);
    await queue.obliterate({ force: true });
    await queue.close();

    const baseline = await usedMemory(redis);
    const worker = spawn(process.execPath, [STEWARD, 'errors', 'work', '--concurrency', String(CONCURRENCY)], {
      cwd: root,
      env: { ...process.env, STEWARD_LIBRARY: '' },
      stdio: 'ignore',
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const capture = new Capture(target, { bufferSize: EVENTS });
    const bar = progress('ingest');
    const start = Date.now();
    let halfway = 0;
    for (let i = 0; i < payloads.length; i++) {
      capture.capture(payloads[i] as ErrorEvent);
      if (i % 5000 === 0) {
        await capture.flush(60_000);
        bar.update(i, EVENTS);
        if (i === Math.floor(EVENTS / 2 / 5000) * 5000) {
          await waitForDrain(target, 600_000);
          halfway = await usedMemory(redis);
        }
      }
    }
    await capture.flush(600_000);
    await waitForDrain(target, 600_000);
    const stewardMs = Date.now() - start;
    bar.done();
    const end = await usedMemory(redis);
    const workerMemory = worker.pid ? rss(worker.pid) : { rssMb: 0, peakMb: 0 };
    await stop(worker);
    await capture.close();

    const groupIds = await redis.zrange('steward:groups', 0, -1);
    let groupBytes = 0;
    for (const id of groupIds) {
      for (const suffix of ['', ':versions', ':samples', ':window']) groupBytes += Number(await redis.memory('USAGE', `steward:group:${id}${suffix}`)) || 0;
    }
    let total = 0;
    for (const id of groupIds) total += Number(await redis.hget(`steward:group:${id}`, 'count'));
    const seen = (await redis.keys('steward:seen:*')).length;

    const rawRate = EVENTS / (rawMs / 1000);
    const rate = EVENTS / (stewardMs / 1000);
    console.log(`${EVENTS} events, ${GROUPS} groups, worker concurrency ${CONCURRENCY}`);
    console.log(`raw BullMQ (add + empty processor): ${fmt(rawMs)}, ${rawRate.toFixed(0)} events/s`);
    console.log(`steward (capture + scrub + queue + worker: validate, scrub, normalise, fingerprint, group): ${fmt(stewardMs)}, ${rate.toFixed(0)} events/s`);
    console.log(`ratio: ${((rate / rawRate) * 100).toFixed(0)} % of raw BullMQ  (target >= 50 %)`);
    console.log(`grouped: ${groupIds.length} groups, ${total} events counted (of ${EVENTS})`);
    console.log(
      `redis: ${(groupBytes / groupIds.length / 1024).toFixed(1)} KiB per group (hash, versions, ${10}-sample list, window); used_memory +${((halfway - baseline) / 1024 / 1024).toFixed(1)} MiB at half, +${((end - baseline) / 1024 / 1024).toFixed(1)} MiB at the end, of which ${seen} event ids remembered for dedupe (they expire after ingest.dedupeSeconds)`,
    );
    console.log(`ingest worker RSS: ${workerMemory.rssMb.toFixed(0)} MB at the end, peak ${workerMemory.peakMb.toFixed(0)} MB`);
  } finally {
    redis.disconnect();
    await stopRedis(stateDir);
    rmSync(root, { recursive: true, force: true });
  }
}
