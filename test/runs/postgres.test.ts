import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../orchestrator/ingest/queues.ts';
import { isStewardError } from '../../orchestrator/core/errors.ts';
import { answerRun, enqueueRun, listCheckpoints, replayRun, type RunControl } from '../../orchestrator/runs/control.ts';
import { openCheckpointer, openRunStore, type Checkpointer } from '../../orchestrator/runs/database.ts';
import { executeRun, type RunJob } from '../../orchestrator/runs/execute-run.ts';
import type { RunStore } from '../../orchestrator/runs/types.ts';
import { RUNS_QUEUE } from '../../orchestrator/runs/run-executor.ts';
import { MIGRATIONS, type Migration } from '../../orchestrator/runs/sql/migrations.ts';
import { PostgresDriver } from '../../orchestrator/runs/sql/postgres.ts';
import { SqliteDriver } from '../../orchestrator/runs/sql/sqlite.ts';
import type { SqlDriver } from '../../orchestrator/runs/sql/types.ts';
import { openLibrary, type Library } from '../../orchestrator/library/library.ts';
import { makeLibrary } from '../helpers/git.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { freePort, psArgs, until } from '../helpers/processes.ts';
import { standInAgent } from '../helpers/stand-in-agent.ts';
import { tempDir } from '../helpers/temp.ts';
import { nodesStarted, quietLog, spawnWorker, untilState } from './fixture.ts';
import { newRun } from '../helpers/runs.ts';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.stop();
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Two stores on one database, as two processes (or machines) would have. */
async function twoStores(backend: 'sqlite' | 'postgres'): Promise<[RunStore, RunStore]> {
  const library = { paths: { state: tempDir() } } as never;
  const env = backend === 'postgres' ? { DATABASE_URL: await postgres.database() } : {};
  const stores: [RunStore, RunStore] = [openRunStore(library, env), openRunStore(library, env)];
  cleanups.push(() => Promise.all(stores.map((s) => s.close())));
  return stores;
}

describe.each(['sqlite', 'postgres'] as const)('the run store on %s', (backend) => {
  it('records runs, their timeline, tokens, proposals and what was held back', async () => {
    const [store] = await twoStores(backend);
    const run = await store.create(newRun({ group: 'g1' }));
    expect(run).toMatchObject({ state: 'queued', tokensUsed: 0, nextAction: null, error: null });
    await store.createMany([newRun({ group: 'g2' }), newRun({ group: 'g3' })]);
    expect(await store.list()).toHaveLength(3);
    expect(await store.list({ plugin: 'beta' })).toEqual([]);
    expect(await store.update(run.id, { state: 'awaiting_approval', nextAction: 'review it' })).toMatchObject({ state: 'awaiting_approval', nextAction: 'review it' });
    expect(await store.update('run_missing', { state: 'failed' })).toBeUndefined();
    expect((await store.list({ state: 'awaiting_approval' })).map((r) => r.id)).toEqual([run.id]);
    expect(await store.addTokens(run.id, 40.6)).toBe(41);
    expect(await store.addTokens(run.id, 9)).toBe(50);
    expect(await store.tokensSince(new Date(Date.now() - 60_000).toISOString())).toBe(50);
    expect(await store.proposals(new Date(Date.now() - 60_000).toISOString())).toEqual({ sinceCount: 1, open: 1 });
    await store.appendEvent(run.id, 'waiting', { interrupt: 'i1' });
    await store.appendEvent(run.id, 'waiting', { interrupt: 'i2' });
    expect((await store.lastEvent(run.id, 'waiting'))?.data).toEqual({ interrupt: 'i2' });
    expect((await store.events(run.id)).map((e) => [e.seq, e.kind])).toEqual([
      [1, 'state'],
      [2, 'state'],
      [3, 'waiting'],
      [4, 'waiting'],
    ]);
    expect((await store.events(run.id, 3)).map((e) => e.seq)).toEqual([4]);
    // Fixes by stage: an answer given twice (a retried resume) counts once; a "continue" is no decision.
    const [g2, g3] = (await store.list()).filter((r) => r.id !== run.id);
    await store.update(g2!.id, { state: 'awaiting_approval' });
    await store.appendEvent(run.id, 'answered', { answer: { decision: 'approve', by: 'ada' } });
    await store.appendEvent(run.id, 'answered', { answer: { decision: 'approve', by: 'ada' } });
    await store.appendEvent(g2!.id, 'answered', { answer: { decision: 'reject', by: 'bob', reason: 'no' } });
    await store.appendEvent(g3!.id, 'answered', { answer: { decision: 'continue' } });
    expect(await store.fixCounts()).toEqual({ proposed: 2, approved: 1, rejected: 1 });
    await store.recordHeld([{ group: 'g9', plugin: 'alpha', reason: 'prHourlyLimit 2 reached' }]);
    expect(await store.held()).toEqual([expect.objectContaining({ group: 'g9', reason: 'prHourlyLimit 2 reached' })]);
    expect((await store.active()).map((r) => r.id).sort()).toHaveLength(3);
    // All or none: a batch with a duplicate id records nothing.
    const dup = newRun({ group: 'g4' });
    await expect(store.createMany([dup, { ...dup }])).rejects.toThrow();
    expect(await store.get(dup.id)).toBeUndefined();
  });

  it('prunes runs that finished before the cut-off, with their events and effects, never an active one', async () => {
    const [store] = await twoStores(backend);
    const [done, failed, waiting] = [newRun({ group: 'g1' }), newRun({ group: 'g2' }), newRun({ group: 'g3' })];
    await store.createMany([done, failed, waiting]);
    await store.update(done.id, { state: 'completed' });
    await store.update(failed.id, { state: 'failed' });
    await store.update(waiting.id, { state: 'awaiting_approval' });
    await store.appendEvent(done.id, 'note', { a: 1 });
    expect((await store.claimEffect(`k-${done.id}`, done.id, 60_000)).status).toBe('claimed');
    await store.completeEffect(`k-${done.id}`, done.id, { ok: true });
    await store.recordHeld([{ group: 'g9', plugin: 'alpha', reason: 'limit' }]);
    // Nothing finished before an hour ago.
    expect(await store.finishedBefore(new Date(Date.now() - 3_600_000).toISOString())).toEqual([]);
    const cut = new Date(Date.now() + 1000).toISOString();
    const finished = await store.finishedBefore(cut);
    expect(finished.sort()).toEqual([done.id, failed.id].sort());
    // A run that is active again by the time of the delete is kept.
    const pruned = await store.prune(cut, [...finished, waiting.id]);
    expect(pruned.runs.sort()).toEqual([done.id, failed.id].sort());
    expect(pruned.events).toBeGreaterThanOrEqual(3);
    expect(pruned.held).toBe(1);
    expect((await store.list()).map((r) => r.id)).toEqual([waiting.id]);
    expect(await store.events(done.id)).toEqual([]);
    expect(await store.effect(`k-${done.id}`)).toBeUndefined();
    expect((await store.events(waiting.id)).length).toBeGreaterThan(0);
  });

  it('versions its schema: migrations applied in order, once each, on a new store and on one made before them', async () => {
    const dir = tempDir();
    const url = backend === 'postgres' ? await postgres.database() : '';
    // Not "IF NOT EXISTS": applied twice, it would fail.
    const later: Migration = { id: MIGRATIONS.length + 1, name: 'a later one', statements: () => ['CREATE TABLE later_table (x TEXT)'] };
    const driver = (migrations: readonly Migration[] = MIGRATIONS): SqlDriver =>
      backend === 'postgres' ? new PostgresDriver(url, migrations) : new SqliteDriver(join(dir, 'state.db'), migrations);
    // A store made before migrations: its tables as they were (no effects.state), no record of any migration.
    const old = driver([{ id: 1, name: 'old tables', statements: MIGRATIONS[0]!.statements }]);
    await old.all(
      "INSERT INTO runs (id, plugin, grp, trigger, state, playbook, playbook_hash, fixer, stop_after, created_at, updated_at) VALUES ('r1', 'p', 'g', 'new', 'completed', 'd', 'h', 'offline', 'propose', 'x', 'x')",
    );
    await old.all("INSERT INTO effects (key, run, result, at) VALUES ('k', 'r1', '1', 'x')");
    await old.all('DELETE FROM schema_migrations');
    await old.close();

    const upgraded = driver([...MIGRATIONS, later]);
    expect((await upgraded.all<{ id: number | string }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => Number(r.id))).toEqual([1, 2, 3, 4]);
    // The old effect is kept, and taken as done; the old run has no outcome.
    expect(await upgraded.all('SELECT key, state FROM effects')).toEqual([{ key: 'k', state: 'done' }]);
    expect(await upgraded.all('SELECT id, outcome FROM runs')).toEqual([{ id: 'r1', outcome: null }]);
    await upgraded.close();
    const again = driver([...MIGRATIONS, later]);
    expect(await again.all('SELECT x FROM later_table')).toEqual([]);
    expect(await again.all('SELECT id FROM schema_migrations WHERE id = $1', [later.id])).toHaveLength(1);
    await again.close();
  });

  it('loses no update when two writers change one run at once', async () => {
    const [a, b] = await twoStores(backend);
    const run = await a.create(newRun({ group: 'g1' }));
    // One cancels while the other, having read the run before, writes its next action.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a.update(run.id, { state: 'cancelled' }) : b.update(run.id, { nextAction: `step ${i}` }))));
    expect((await a.get(run.id))?.state).toBe('cancelled');
    const states = (await a.events(run.id)).filter((e) => e.kind === 'state');
    // One change of state, recorded once, from queued.
    expect(states.map((e) => e.data)).toEqual([{ state: 'queued' }, { from: 'queued', state: 'cancelled' }]);
  });

  it('numbers events without gaps or repeats when two writers append to one run at once', async () => {
    const [a, b] = await twoStores(backend);
    const run = await a.create(newRun({ group: 'g1' }));
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).appendEvent(run.id, 'progress', { i })));
    const seqs = (await a.events(run.id)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it('gives an effect to exactly one of many claimants, and a dead claim to exactly one taker', async () => {
    const [a, b] = await twoStores(backend);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimEffect('issue:g1', `run_${i}`, 60_000)));
    expect(claims.filter((c) => c.status === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.status === 'pending')).toHaveLength(9);
    // The claim's owner died: once it is stale, many see it so at once; only one takes it over.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const takeovers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimEffect('issue:g1', `late_${i}`, 1000)));
    expect(takeovers.filter((c) => c.status === 'claimed')).toHaveLength(1);
    expect(takeovers.filter((c) => c.status === 'pending')).toHaveLength(9);
    // The first claimant comes back: its claim is gone, so it records nothing.
    const first = `run_${claims.findIndex((c) => c.status === 'claimed')}`;
    expect(await b.completeEffect('issue:g1', first, { issue: 6 })).toBe(false);
    const winner = `late_${takeovers.findIndex((c) => c.status === 'claimed')}`;
    expect(await a.completeEffect('issue:g1', winner, { issue: 7 })).toBe(true);
    expect(await b.claimEffect('issue:g1', 'run_x', 60_000)).toMatchObject({ status: 'done', effect: { result: { issue: 7 } } });
    expect(await b.effect('issue:g1')).toMatchObject({ result: { issue: 7 } });
    // A claim renewed while its effect runs is not stale, however old the claim is.
    expect(await a.claimEffect('slow', 'run_a', 60_000)).toEqual({ status: 'claimed' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await a.renewEffect('slow', 'run_a')).toBe(true);
    expect(await b.claimEffect('slow', 'run_b', 1000)).toEqual({ status: 'pending', by: 'run_a' });
    expect(await b.renewEffect('slow', 'run_b')).toBe(false);
    expect(await a.claimEffect('other', 'run_a', 60_000)).toEqual({ status: 'claimed' });
    await a.releaseEffect('other', 'run_a');
    expect(await b.claimEffect('other', 'run_b', 60_000)).toEqual({ status: 'claimed' });
  });
});

describe('run sessions in Postgres', () => {
  it('refuses a DATABASE_URL that is not a postgres:// URL, with one clear message', () => {
    for (const url of ['mysql://db/steward', 'not a url']) {
      let caught: unknown;
      try {
        openRunStore({ paths: { state: '/nonexistent' } } as never, { DATABASE_URL: url });
      } catch (error) {
        caught = error;
      }
      expect(isStewardError(caught) && caught.code).toBe('E_CONFIG_INVALID');
    }
  });

  it('runs, waits for approval, resumes on the answer and replays from a checkpoint, with checkpoints in Postgres', async () => {
    const env = { DATABASE_URL: await postgres.database() };
    const library = await makeLibrary();
    const store = openRunStore(library, env);
    const saver: Checkpointer = openCheckpointer(library, env);
    const redis = await tcpRedis();
    const queue = openQueue<RunJob>(RUNS_QUEUE, redis.client);
    cleanups.push(async () => {
      await queue.close();
      await store.close();
      await saver.close();
    });
    const effectsFile = join(tempDir(), 'effects.log');
    const agent = standInAgent({ effectsFile, workSeconds: 0, marker: 'pg-unused', askApproval: true });
    const deps = { library, store, redis: redis.client, agent, checkpointer: saver, owner: 'pg-test', lockMs: 2000, maxResumes: 3, log: quietLog };
    const control: RunControl = { store, queue, redis: redis.client };
    const run = await store.create(newRun({ group: 'g1' }));

    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('awaiting_approval');
    expect(existsSync(join(library.paths.state, 'state.db'))).toBe(false);
    await answerRun(control, run.id, { decision: 'approve', by: 'ada' });
    const [job] = (await queue.getJobs(['waiting'])).filter((j) => j.data.resume !== undefined);
    expect(await executeRun(job!.data, deps, new AbortController())).toBe('completed');
    const checkpoints = await listCheckpoints(saver, run.id);
    expect(checkpoints.length).toBeGreaterThan(3);
    const replay = await replayRun(control, saver, run.id, 'work');
    expect(await executeRun({ run: replay.id }, deps, new AbortController())).toBe('awaiting_approval');
    expect(await nodesStarted(store, replay.id, 'open-issue')).toBe(0);
    expect(readFileSync(effectsFile, 'utf8').trim().split('\n')).toEqual([run.id]);
  }, 60_000);

  it('two machines on one Postgres and one Redis: a worker killed with -9 mid-run on one, the run taken over and completed once on the other', async () => {
    const env = { DATABASE_URL: await postgres.database() };
    const redis = await tcpRedis();
    // Two clones of the library, each with its own state dir, as on two machines.
    const machine = async (): Promise<Library> => {
      const made = await makeLibrary();
      writeFileSync(join(made.root, 'steward.config.json'), `${JSON.stringify({ workers: { runLockSeconds: 2 } })}\n`);
      return openLibrary({ library: made.root });
    };
    const [machineA, machineB] = [await machine(), await machine()];
    const store = openRunStore(machineA, env);
    const queue = openQueue<RunJob>(RUNS_QUEUE, redis.client);
    cleanups.push(async () => {
      await queue.close();
      await store.close();
    });
    const name = `steward-pg-${Math.random().toString(36).slice(2, 8)}`;
    const options = { effectsFile: join(tempDir(), 'effects.log'), workSeconds: 2, marker: name };
    const workerEnv = { ...process.env, ...env, REDIS_URL: redis.url };
    const first = await spawnWorker(machineA, options, workerEnv);
    cleanups.push(() => first.kill('SIGKILL'));
    const run = await store.create(newRun({ group: 'g1' }));
    await enqueueRun(queue, run.id, undefined, true);
    expect(await until(async () => (await nodesStarted(store, run.id, 'work')) === 1, 20_000)).toBe(true);
    first.kill('SIGKILL');
    expect(await until(() => psArgs().every((line) => !line.includes(name)), 3000)).toBe(true);

    const second = await spawnWorker(machineB, options, workerEnv);
    cleanups.push(() => second.kill('SIGKILL'));
    expect((await untilState(store, run.id, ['completed', 'failed'], 40_000))?.state).toBe('completed');
    const events = await store.events(run.id);
    expect(events.filter((e) => e.kind === 'resumed').map((e) => (e.data as { cause: string }).cause)).toEqual(['worker-died']);
    const owners = events.filter((e) => e.kind === 'claimed').map((e) => (e.data as { owner: string }).owner);
    expect(new Set(owners).size).toBe(2);
    expect(await nodesStarted(store, run.id, 'open-issue')).toBe(1);
    expect(readFileSync(options.effectsFile, 'utf8').trim().split('\n')).toEqual([run.id]);
    // Neither machine kept run state of its own.
    expect([machineA, machineB].map((m) => existsSync(join(m.paths.state, 'state.db')))).toEqual([false, false]);
  }, 90_000);
});

/** A redis-server on a loopback port, as a shared Redis of several machines is reached. */
async function tcpRedis(): Promise<{ client: Redis; url: string }> {
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(() => server.kill('SIGKILL'));
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  expect(await until(listening, 10_000)).toBe(true);
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
  cleanups.push(() => client.disconnect());
  return { client, url: `redis://127.0.0.1:${port}` };
}
