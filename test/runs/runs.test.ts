import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { answerRun, cancelRun, enqueueRun, listCheckpoints, recoverRuns, replayRun, resumeRun } from '../../orchestrator/runs/control.ts';
import { runLockKey } from '../../orchestrator/runs/locks.ts';
import { openRunStore } from '../../orchestrator/runs/database.ts';
import { executeRun, type RunStateChange, type ExecutorDeps } from '../../orchestrator/runs/execute-run.ts';
import { readOutput } from '../../orchestrator/runs/output.ts';
import { startRunExecutor } from '../../orchestrator/runs/run-executor.ts';
import { psArgs, until } from '../helpers/processes.ts';
import { tempDir } from '../helpers/temp.ts';
import { standInAgent, type StandInOptions } from '../helpers/stand-in-agent.ts';
import { nodesStarted, quietLog, runsFixture, spawnWorker, untilState, type RunsFixture } from './fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fixture(...args: Parameters<typeof runsFixture>): Promise<RunsFixture> {
  const f = await runsFixture(...args);
  cleanups.push(() => f.close());
  return f;
}

function executorDeps(f: RunsFixture, options: Partial<StandInOptions> = {}): ExecutorDeps {
  const agent = standInAgent({ effectsFile: f.effectsFile, workSeconds: 0, marker: 'stand-in-unused', ...options });
  return { library: f.library, store: f.store, redis: f.redis, agent, checkpointer: f.saver, owner: 'test-owner', lockMs: 2000, maxResumes: 3, log: quietLog };
}

function effects(f: RunsFixture): string[] {
  return existsSync(f.effectsFile) ? readFileSync(f.effectsFile, 'utf8').trim().split('\n') : [];
}

function marker(): string {
  return `steward-stand-in-${Math.random().toString(36).slice(2, 10)}`;
}

describe('run sessions', () => {
  it('run to completion with a timeline of nodes, side effects and raw output; a second job for the run changes nothing', async () => {
    const f = await fixture();
    const run = await f.dispatch();
    const deps = executorDeps(f, { tokens: 7 });

    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('completed');
    const after = await f.store.get(run.id);
    expect(after).toMatchObject({ state: 'completed', tokensUsed: 7, nextAction: null });
    const kinds = (await f.store.events(run.id)).map((e) => `${e.kind}${(e.data as { node?: string }).node ? `:${(e.data as { node: string }).node}` : ''}`);
    // A node's own events may come before LangGraph's stream reports it started: compare each kind's order.
    expect(kinds.filter((k) => k.startsWith('node-'))).toEqual([
      'node-started:open-issue',
      'node-finished:open-issue',
      'node-started:work',
      'node-finished:work',
      'node-started:propose',
      'node-finished:propose',
    ]);
    expect(kinds.filter((k) => !k.startsWith('node-'))).toEqual(['state', 'claimed', 'state', 'effect', 'sandbox', 'tokens', 'state']);
    expect(readOutput(f.library, run.id).text).toBe('work: ok\n');
    expect(effects(f)).toEqual([run.id]);

    const events = (await f.store.events(run.id)).length;
    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('completed');
    expect(await f.store.events(run.id)).toHaveLength(events);
  });

  it('an approval interrupt waits for a person; the answer resumes the graph, and a job without one does not', async () => {
    const f = await fixture();
    const run = await f.dispatch();
    const deps = executorDeps(f, { askApproval: true });
    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('awaiting_approval');
    expect((await f.store.get(run.id))?.nextAction).toBe(`approve run ${run.id}`);
    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('awaiting_approval');

    await expect(resumeRun(f.control, run.id)).rejects.toThrow(/waits for a maintainer's approval/);
    await answerRun(f.control, run.id, { decision: 'approve', by: 'test' });
    const jobs = (await f.queue.getJobs(['waiting'])).filter((j) => j.data.run === run.id && j.data.resume !== undefined);
    expect(jobs).toHaveLength(1);
    expect(await executeRun(jobs[0]?.data ?? { run: run.id }, deps, new AbortController())).toBe('completed');
    expect((await f.store.events(run.id)).some((e) => e.kind === 'answered' && (e.data as { answer: { decision: string } }).answer.decision === 'approve')).toBe(true);
    expect(await nodesStarted(f.store, run.id, 'work')).toBe(1);
  });

  it('a failed run resumes from its last checkpoint; a replay starts a new run from a chosen node and reuses the issue', async () => {
    const f = await fixture();
    const run = await f.dispatch();
    const deps = executorDeps(f, { workSeconds: 'x' as unknown as number });
    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('failed');
    expect((await f.store.get(run.id))?.error).toBe('sandbox failed');
    expect((await f.store.get(run.id))?.nextAction).toMatch(/^steward runs resume/);

    await resumeRun(f.control, run.id);
    expect((await f.store.get(run.id))?.state).toBe('queued');
    expect(await executeRun({ run: run.id }, executorDeps(f), new AbortController())).toBe('completed');
    expect(await nodesStarted(f.store, run.id, 'open-issue')).toBe(1);
    expect(await nodesStarted(f.store, run.id, 'work')).toBe(2);
    expect((await f.store.events(run.id)).find((e) => e.kind === 'resumed')?.data).toMatchObject({ cause: 'requested' });

    const checkpoints = await listCheckpoints(f.saver, run.id);
    // The failed attempt's checkpoints, then the resumed attempt's.
    expect(checkpoints.map((c) => c.next.join(','))).toEqual(['', 'open-issue', 'work', 'propose', '']);
    const replay = await replayRun(f.control, f.saver, run.id, 'work');
    expect(replay).toMatchObject({ trigger: 'replay', state: 'queued', plugin: run.plugin, group: run.group });
    expect(await executeRun({ run: replay.id }, executorDeps(f), new AbortController())).toBe('completed');
    expect(await nodesStarted(f.store, replay.id, 'open-issue')).toBe(0);
    expect(await nodesStarted(f.store, replay.id, 'work')).toBe(1);

    // From its start, a replay runs open-issue again, but the issue is the same one.
    const whole = await replayRun(f.control, f.saver, run.id);
    expect(await executeRun({ run: whole.id }, executorDeps(f), new AbortController())).toBe('completed');
    expect(await nodesStarted(f.store, whole.id, 'open-issue')).toBe(1);
    expect((await f.store.events(whole.id)).find((e) => e.kind === 'effect-reused')?.data).toEqual({ key: `issue:${run.group}`, by: run.id });
    expect(effects(f)).toEqual([run.id]);
    await expect(replayRun(f.control, f.saver, run.id, 'no-such-node')).rejects.toThrow(/has no checkpoint "no-such-node"/);
  });

  it('an answer to a question the run no longer asks is dropped, and the run keeps waiting', async () => {
    const f = await fixture();
    const run = await f.dispatch();
    const deps = executorDeps(f, { askApproval: true });
    expect(await executeRun({ run: run.id }, deps, new AbortController())).toBe('awaiting_approval');
    const waiting = (await f.store.events(run.id)).find((e) => e.kind === 'waiting')?.data as { interrupt: string };
    expect(waiting.interrupt).toMatch(/^[0-9a-f]+$/);
    await f.store.update(run.id, { state: 'queued' });
    expect(await executeRun({ run: run.id, resume: { decision: 'approve' }, interrupt: 'an-old-question' }, deps, new AbortController())).toBe('answer-dropped');
    expect(await f.store.get(run.id)).toMatchObject({ state: 'awaiting_approval', nextAction: `approve run ${run.id}` });
    await expect(answerRun(f.control, run.id, { decision: 'approve', by: 'test' }, 'an-old-question')).rejects.toThrow(/waits on another question now/);
    expect(await nodesStarted(f.store, run.id, 'work')).toBe(1);
  });

  it('a side effect is claimed before it is done: a second claimant waits for the first, a dead claim is taken over', async () => {
    const store = openRunStore({ paths: { state: tempDir() } } as never);
    try {
      expect(await store.claimEffect('k', 'run_a', 60_000)).toEqual({ status: 'claimed' });
      expect(await store.claimEffect('k', 'run_b', 60_000)).toEqual({ status: 'pending', by: 'run_a' });
      expect(await store.effect('k')).toBeUndefined();
      expect(await store.completeEffect('k', 'run_a', { issue: 3 })).toBe(true);
      expect(await store.claimEffect('k', 'run_b', 60_000)).toMatchObject({ status: 'done', effect: { run: 'run_a', result: { issue: 3 } } });
      expect(await store.claimEffect('dead', 'run_a', 60_000)).toEqual({ status: 'claimed' });
      expect(await store.claimEffect('dead', 'run_b', -1)).toEqual({ status: 'claimed' });
      await store.releaseEffect('dead', 'run_b');
      expect(await store.claimEffect('dead', 'run_c', 60_000)).toEqual({ status: 'claimed' });
    } finally {
      await store.close();
    }
  });

  it('a worker that loses the run lock stops the run and writes no final state over the new holder', async () => {
    const f = await fixture();
    const run = await f.dispatch();
    const name = marker();
    const controller = new AbortController();
    const executing = executeRun({ run: run.id }, { ...executorDeps(f, { workSeconds: 30, marker: name }), lockMs: 600 }, controller);
    expect(await until(() => psArgs().some((line) => line.includes(name)), 20_000)).toBe(true);
    // Another worker took the lock (as after a stall past its expiry).
    await f.redis.set(runLockKey(run.id), 'another-worker', 'PX', 60_000);
    expect(await executing).toBe('lock-lost');
    expect(controller.signal.reason).toBe('lock-lost');
    expect((await f.store.get(run.id))?.state).toBe('running');
    expect(await until(() => psArgs().every((line) => !line.includes(name)), 2000)).toBe(true);
    expect(await f.redis.get(runLockKey(run.id))).toBe('another-worker');
  }, 60_000);

  it('a run over its token budget is stopped and failed with the reason', async () => {
    const f = await fixture({}, { tokenBudget: { perRun: 5, daily: 100 } });
    const run = await f.dispatch();
    expect(await executeRun({ run: run.id }, executorDeps(f, { tokens: 6 }), new AbortController())).toBe('failed');
    expect((await f.store.get(run.id))?.error).toBe('token budget: more than 5 tokens (manager.tokenBudget.perRun)');
  });
});

describe('run workers', () => {
  it('a worker killed with -9 mid-run: another takes the run over from its checkpoint, and it completes once', async () => {
    const f = await fixture();
    const name = marker();
    const options: StandInOptions = { effectsFile: f.effectsFile, workSeconds: 2, marker: name };
    const first = await spawnWorker(f.library, options);
    cleanups.push(() => first.kill('SIGKILL'));
    const run = await f.dispatch();
    expect(await until(async () => (await nodesStarted(f.store, run.id, 'work')) === 1, 20_000)).toBe(true);
    first.kill('SIGKILL');
    // bubblewrap's --die-with-parent takes the sandboxed process down with the worker.
    expect(await until(() => psArgs().every((line) => !line.includes(name)), 3000)).toBe(true);
    const second = await spawnWorker(f.library, options);
    cleanups.push(() => second.kill('SIGKILL'));

    expect((await untilState(f.store, run.id, ['completed', 'failed'], 40_000))?.state).toBe('completed');
    expect((await f.store.events(run.id)).filter((e) => e.kind === 'resumed').map((e) => (e.data as { cause: string }).cause)).toEqual(['worker-died']);
    expect(await nodesStarted(f.store, run.id, 'open-issue')).toBe(1);
    expect(await nodesStarted(f.store, run.id, 'work')).toBe(2);
    expect((await f.store.events(run.id)).filter((e) => e.kind === 'state' && (e.data as { state: string }).state === 'completed')).toHaveLength(1);
    expect(effects(f)).toEqual([run.id]);
  }, 90_000);

  it('cancel during a sandbox run leaves no process behind within 2 s', async () => {
    const f = await fixture();
    const name = marker();
    const worker = await startRunExecutor(f.target, f.library, { agent: standInAgent({ effectsFile: f.effectsFile, workSeconds: 60, marker: name }), log: quietLog });
    cleanups.push(() => worker.close());
    const run = await f.dispatch();
    expect(await until(() => psArgs().some((line) => line.includes(name)), 20_000)).toBe(true);

    const cancelled = await cancelRun(f.control, run.id, 5000);
    expect(cancelled.state).toBe('cancelled');
    expect(await until(() => psArgs().every((line) => !line.includes(name)), 2000)).toBe(true);
    expect((await f.store.get(run.id))?.nextAction).toMatch(/^steward runs resume/);
    await expect(cancelRun(f.control, run.id)).rejects.toThrow(/cancelled already/);
  }, 60_000);

  it('graceful shutdown stops the sandbox and leaves the run queued at its checkpoint; the next worker finishes it', async () => {
    const f = await fixture();
    const name = marker();
    const agent = standInAgent({ effectsFile: f.effectsFile, workSeconds: 60, marker: name });
    const first = await startRunExecutor(f.target, f.library, { agent, log: quietLog });
    const run = await f.dispatch();
    expect(await until(() => psArgs().some((line) => line.includes(name)), 20_000)).toBe(true);
    await first.close();
    expect(await until(() => psArgs().every((line) => !line.includes(name)), 2000)).toBe(true);
    expect((await f.store.get(run.id))?.state).toBe('queued');

    const quick = standInAgent({ effectsFile: f.effectsFile, workSeconds: 0, marker: name });
    const second = await startRunExecutor(f.target, f.library, { agent: quick, log: quietLog });
    cleanups.push(() => second.close());
    expect((await untilState(f.store, run.id, ['completed', 'failed']))?.state).toBe('completed');
    expect(await nodesStarted(f.store, run.id, 'open-issue')).toBe(1);
  }, 60_000);

  it('at start-up, a running run with no live lock is resumed, a queued one without a job is queued again, and the policy fails one that died too often', async () => {
    const f = await fixture({ maxResumes: 1 });
    const dead = await f.dispatch();
    const lost = await f.dispatch();
    const hopeless = await f.dispatch();
    await f.queue.obliterate({ force: true });
    await f.store.update(dead.id, { state: 'running' });
    await f.store.update(hopeless.id, { state: 'running' });
    await f.store.appendEvent(hopeless.id, 'resumed', { cause: 'worker-died' });

    const recovered = await recoverRuns(f.control);
    expect(recovered.resumed.sort()).toEqual([dead.id, hopeless.id].sort());
    expect(recovered.requeued).toEqual([lost.id]);
    expect(await recoverRuns(f.control)).toEqual({ resumed: [], requeued: [] });

    // The worker tells each state a run takes on it: its progress lines.
    const changes: RunStateChange[] = [];
    const worker = await startRunExecutor(f.target, f.library, {
      agent: standInAgent({ effectsFile: f.effectsFile, workSeconds: 0, marker: marker() }),
      log: quietLog,
      onState: (change) => changes.push(change),
    });
    cleanups.push(() => worker.close());
    expect((await untilState(f.store, dead.id, ['completed', 'failed']))?.state).toBe('completed');
    expect((await untilState(f.store, lost.id, ['completed', 'failed']))?.state).toBe('completed');
    const failed = await untilState(f.store, hopeless.id, ['completed', 'failed']);
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toBe('its worker died 2 times; the policy resumes a run at most 1 times');
    expect(changes.filter((c) => c.run === dead.id).map((c) => c.state)).toEqual(['running', 'completed']);
    expect(changes.find((c) => c.run === hopeless.id)).toEqual({
      run: hopeless.id,
      plugin: hopeless.plugin,
      state: 'failed',
      note: 'its worker died 2 times; the policy resumes a run at most 1 times',
    });
  }, 60_000);

  it('two workers share the runs queue without doing a run twice', async () => {
    const f = await fixture();
    const agent = standInAgent({ effectsFile: f.effectsFile, workSeconds: 0, marker: marker() });
    const a = await startRunExecutor(f.target, f.library, { agent, log: quietLog, concurrency: 2 });
    const b = await startRunExecutor(f.target, f.library, { agent, log: quietLog, concurrency: 2 });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const runs = [];
    for (let i = 0; i < 8; i++) {
      const run = await f.dispatch();
      // Duplicate jobs for every run (a re-delivery, a recovery racing a retry): still one execution each.
      await enqueueRun(f.queue, run.id);
      await enqueueRun(f.queue, run.id);
      runs.push(run);
    }
    for (const run of runs) expect((await untilState(f.store, run.id, ['completed', 'failed']))?.state).toBe('completed');
    for (const run of runs) expect(await nodesStarted(f.store, run.id, 'work')).toBe(1);
    expect(effects(f).sort()).toEqual(runs.map((r) => r.id).sort());
    const claims = await Promise.all(runs.map(async (run) => (await f.store.events(run.id)).filter((e) => e.kind === 'claimed').map((e) => (e.data as { owner: string }).owner)));
    for (const claim of claims) expect(claim).toHaveLength(1);
    for (const owner of claims.flat()) expect([a.owner, b.owner]).toContain(owner);
    expect((await f.queue.getJobCounts('failed')).failed).toBe(0);
  }, 60_000);
});
