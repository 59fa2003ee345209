/**
 * `npm run bench -- soak`: error events through the real processes while each of them
 * is killed with -9 and Redis is restarted, then the stores' size after 100,000 events
 * and 200 runs with retention applied. Prints events sent, counted, dead-lettered and
 * lost (the target is none lost), and the memory and disk figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { enqueueEvents } from '../../orchestrator/ingest/enqueue.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openQueue, QUEUES } from '../../orchestrator/ingest/queues.ts';
import { waitForDrain } from '../../orchestrator/ingest/runtime.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { pruneLibrary } from '../../orchestrator/maintenance/open.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { ensureRedis, stopRedis } from '../../orchestrator/redis/server.ts';
import { openCheckpointer, openRunStore, stateDatabase } from '../../orchestrator/runs/database.ts';
import { newRun } from '../helpers/runs.ts';

const CALLS = Number(process.env.BENCH_SOAK_CALLS ?? 8000);
const BAD = Number(process.env.BENCH_SOAK_BAD ?? 500);
const EVENTS = Number(process.env.BENCH_SOAK_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_SOAK_RUNS ?? 200);
const STEWARD = join(import.meta.dirname, '..', '..', 'orchestrator', 'cli', 'steward.js');
const TOKEN = 'soak-host-token';
const INGEST = 'soakingesttoken0123456789';

function library(root: string): void {
  mkdirSync(join(root, 'templates', 'linked'), { recursive: true });
  for (let i = 0; i < 10; i++) {
    const dir = join(root, 'plugins', `soak-${i}`);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'AGENT.md'), `# soak-${i}\n`);
    writeFileSync(
      join(dir, 'src', 'index.js'),
      `export default { name: 'soak-${i}', execute(input) { if (input.fail) throw new TypeError('soak ${i} failed on ' + input.kind); return { ok: true }; } };\n`,
    );
    writeFileSync(
      join(dir, 'plugin.json'),
      JSON.stringify({
        name: `soak-${i}`,
        version: '1.0.0',
        description: 'Soak plugin.',
        runtime: 'node',
        entry: 'src/index.js',
        test: { command: ['node', '--test'], format: 'tap' },
        limits: { timeoutMs: 5000, memoryMb: 256 },
      }),
    );
  }
  // No capture limit in the way: every failure must become an event.
  writeFileSync(join(root, 'steward.config.json'), JSON.stringify({ ingest: { hostCaptures: { perMinute: 1_000_000, burst: 1_000_000 } } }));
}

function start(root: string, args: string[]): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(process.execPath, [STEWARD, '--library', root, ...args], {
    env: { ...process.env, STEWARD_HOST_TOKEN: TOKEN, STEWARD_INGEST_TOKEN: INGEST, STEWARD_LIBRARY: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
      else if (args[0] === 'worker' && out.includes('errors: ingest')) resolve('');
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${out}`)));
  });
  ready.catch(() => undefined);
  return { child, ready };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function groupCounts(redis: Redis): Promise<number> {
  return (await new GroupStore(redis).list()).reduce((n, g) => n + g.count, 0);
}

function deep(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sb-soak-'));
  library(root);
  const lib = openLibrary({ library: root });
  const stateDir = lib.paths.state;
  let target = await ensureRedis(stateDir);
  let host = start(root, ['host', '--port', '0']);
  let url = await host.ready;
  let worker = start(root, ['worker', '--no-triage', '--no-schedule', '--no-tests']);
  await worker.ready;
  try {
    // 1. Failing calls through the host while each process dies once and Redis restarts.
    let sent = 0;
    let unanswered = 0;
    let next = 0;
    const call = async (): Promise<void> => {
      const i = next++;
      try {
        const answer = await fetch(`${url}/v1/plugins/soak-${i % 10}/execute`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ input: { fail: true, kind: `k${i % 7}` } }),
        });
        if (answer.status === 422) sent++;
        else unanswered++;
        await answer.arrayBuffer();
      } catch {
        // The host was being killed: the call got no answer, so no event was promised.
        unanswered++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const faults: [number, string, () => Promise<void>][] = [
      [
        0.25,
        'kill -9 the ingest worker',
        async () => {
          await kill9(worker.child);
          worker = start(root, ['worker', '--no-triage', '--no-schedule', '--no-tests']);
          await worker.ready;
        },
      ],
      [
        0.5,
        'restart Redis',
        async () => {
          await stopRedis(stateDir);
          target = await ensureRedis(stateDir);
        },
      ],
      [
        0.75,
        'kill -9 the host',
        async () => {
          await kill9(host.child);
          host = start(root, ['host', '--port', '0']);
          url = await host.ready;
        },
      ],
    ];
    const started = Date.now();
    // The faults strike while calls are in flight, each at its share of the calls.
    const chaos = (async () => {
      for (const [at, what, fault] of faults) {
        while (next < CALLS * at) await new Promise((resolve) => setTimeout(resolve, 20));
        process.stdout.write(`  at ${next} calls: ${what}\n`);
        await fault();
      }
    })();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < CALLS) await call();
      }),
    );
    await chaos;
    // Malformed events straight to ingest: each must become a dead letter, none an error.
    const bad = Array.from({ length: BAD }, (_, i) => (i % 2 ? '{not json' : `{"id":"d${i}","invocation":${deep(200)}}`)).join('\n');
    const answer = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}` }, body: bad });
    const rejected = ((await answer.json()) as { rejected: unknown[] }).rejected.length;
    const drained = await waitForDrain(target, 120_000);
    const redis = new Redis(target.options);
    const counted = await groupCounts(redis);
    const dead = openQueue(QUEUES.dead, connect(target, 'soak'));
    const deadLettered = await dead.count();
    await dead.close();
    const wall = (Date.now() - started) / 1000;
    process.stdout.write(`faults: ingest worker kill -9, Redis restart, host kill -9 (${wall.toFixed(0)} s)\n`);
    process.stdout.write(`events sent (failed calls answered): ${sent}; calls unanswered while the host was down: ${unanswered}\n`);
    // A call whose event was queued but whose answer died with the host is counted and not "sent".
    const extra = Math.max(0, counted - sent);
    process.stdout.write(
      `events counted in groups: ${counted}; dead-lettered: ${deadLettered} of ${BAD} malformed sent (${rejected} refused at once); lost: ${Math.max(0, sent - counted)}${extra ? ` (${extra} counted for calls the host was killed before answering: their events were queued first)` : ''}${drained ? '' : ' (queue not drained in 120 s)'}\n`,
    );

    // 2. Size after 100,000 events and 200 runs, with retention on.
    await stop(host.child);
    const events: ErrorEvent[] = Array.from({ length: EVENTS }, (_, i) => ({
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      plugin: `soak-${i % 10}`,
      pluginVersion: '1.0.0',
      level: 'error',
      error: { type: 'TypeError', message: `soak ${i % 100} failed`, stack: `TypeError: soak ${i % 100} failed\n    at f${i % 100} (src/index.js:${i % 100}:1)` },
      invocation: { operation: 'execute', input: { row: i, text: 'a,b,c'.repeat(20) } },
    }));
    const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    await enqueueEvents(target, events);
    await waitForDrain(target, 600_000);
    const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const store = openRunStore(lib, {});
    const saver = openCheckpointer(lib, {});
    const payload = 'x'.repeat(2000);
    for (let r = 0; r < RUNS; r++) {
      const { id } = await store.create(newRun({ plugin: `soak-${r % 10}` }));
      for (let e = 0; e < 40; e++) await store.appendEvent(id, 'candidate-tried', { n: e, rationale: payload });
      const checkpoint = emptyCheckpoint();
      for (let step = 0; step < 10; step++) {
        checkpoint.id = `${id}-${step}`;
        checkpoint.channel_values = { context: { blob: payload.repeat(5) } };
        await saver.put({ configurable: { thread_id: id, checkpoint_ns: '' } }, checkpoint, { source: 'loop', step, parents: {} }, {});
      }
      await store.update(id, { state: 'completed' });
    }
    await store.close();
    await saver.close();
    const used = (): number => {
      const db = new Database(stateDatabase(lib));
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
        const pages = Number(db.pragma('page_count', { simple: true })) - Number(db.pragma('freelist_count', { simple: true }));
        return pages * Number(db.pragma('page_size', { simple: true }));
      } catch {
        return statSync(stateDatabase(lib)).size;
      } finally {
        db.close();
      }
    };
    const storeBefore = used();
    const pruned = await pruneLibrary(lib, target, Date.now() + 31 * 86_400_000);
    const storeAfter = used();
    const afterPrune = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    redis.disconnect();
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    process.stdout.write(
      `Redis used_memory: ${mb(before)} before ${EVENTS} events, ${mb(after)} after (${((after - before) / EVENTS).toFixed(0)} bytes an event; 1,000 groups with 10 samples each, event ids kept for dedupeSeconds), ${mb(afterPrune)} after prune\n`,
    );
    process.stdout.write(
      `run store: ${mb(storeBefore)} in use with ${RUNS} finished runs (${(storeBefore / RUNS / 1024).toFixed(0)} KB a run), ${mb(storeAfter)} after prune deleted ${pruned.runs} runs and ${pruned.runEvents} events\n`,
    );
  } finally {
    for (const child of [host.child, worker.child]) if (child.exitCode === null) child.kill('SIGKILL');
    await stopRedis(stateDir);
    rmSync(root, { recursive: true, force: true });
  }
}
