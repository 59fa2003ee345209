import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openQueue, QUEUES, type DeadLetter, type TriageJob } from '../../orchestrator/ingest/queues.ts';
import { Ingest } from '../../orchestrator/ingest/ingest-consumer.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { triageOnce } from '../../agents/manager/index.ts';
import { openManager } from '../../agents/manager/open.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { steward } from '../helpers/cli.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import { makeLibrary, sh } from '../helpers/git.ts';
import { eventOf } from '../helpers/ingest.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Four plugins; errors grouped through the real ingest path; d needs a variable this machine lacks. */
async function fleet(): Promise<{ library: Library; ids: Record<string, string> }> {
  const library = await makeLibrary();
  for (const name of ['alpha', 'bravo', 'charlie']) writePlugin(join(library.paths.plugins, name), name);
  writePlugin(join(library.paths.plugins, 'delta'), 'delta', { manifest: manifestFor('delta', { env: [{ name: 'DELTA_TEST_KEY', required: true }] }) });
  linkTemplates(library);
  sh(library.root, 'add', '-A');
  sh(library.root, 'commit', '-q', '-m', 'four plugins');
  const { target } = await startTestRedis(library.paths.state);
  const redis = connect(target, 'test-ingest');
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  const triage = openQueue<TriageJob>(QUEUES.triage, redis);
  cleanups.push(async () => {
    await Promise.all([dead.close(), triage.close()]);
    redis.disconnect();
  });
  const ingest = new Ingest({ library, redis, dead, triage });
  const ids: Record<string, string> = {};
  const record = async (key: string, plugin: string, fn: string, count: number, level: 'error' | 'fatal' = 'error'): Promise<void> => {
    for (let i = 0; i < count; i++) ids[key] = (await ingest.process(eventOf(plugin, { fn, level }), `${key}-${i}`)).group ?? '';
  };
  await record('alpha-big', 'alpha', 'parse', 20);
  await record('alpha-small', 'alpha', 'format', 1);
  await record('bravo', 'bravo', 'sign', 2);
  await record('charlie', 'charlie', 'convert', 3, 'fatal');
  await record('delta', 'delta', 'query', 50);
  await ingest.groups.transition(ids.bravo ?? '', 'resolved', { resolvedIn: '1.0.0' });
  await record('bravo', 'bravo', 'sign', 1);
  return { library, ids };
}

describe('the Manager Agent', () => {
  it('dispatches within the limits, one run per plugin, and records what it held back and why; an unavailable plugin gets an issue-only run', async () => {
    const { library, ids } = await fleet();
    library.config.manager.prConcurrentLimit = 2;
    const deps = await openManager(library, { runTests: true });
    cleanups.push(() => deps.close());

    const state = await triageOnce(deps);

    expect((await deps.groups.get(ids.bravo ?? ''))?.status).toBe('in-progress');
    expect(state.dispatched.map((d) => d.plugin).sort()).toEqual(['alpha', 'bravo', 'delta']);
    expect(state.dispatched.find((d) => d.plugin === 'alpha')?.group).toBe(ids['alpha-big']);
    const reasons = Object.fromEntries(state.held.map((h) => [h.group, h.reason]));
    expect(reasons[ids['alpha-small'] ?? '']).toMatch(/^one active run per plugin/);
    // The unavailable plugin's run proposes nothing: it does not count against the proposal limit.
    expect(reasons[ids.charlie ?? '']).toBe('prConcurrentLimit 2 reached (2 open or in progress)');
    expect(reasons[ids.delta ?? '']).toBeUndefined();
    expect((await deps.runs.held()).map((h) => h.group).sort()).toEqual(Object.keys(reasons).sort());

    // Each run is a queued record and a job on the runs queue under the run's id; delta's opens its issue and stops.
    expect(state.dispatched.find((d) => d.plugin === 'delta')).toEqual({
      run: expect.any(String),
      group: ids.delta,
      plugin: 'delta',
      issueOnly: 'plugin is unavailable: required environment variable DELTA_TEST_KEY is not set',
    });
    for (const { run, plugin } of state.dispatched) {
      expect(await deps.runs.get(run)).toMatchObject({ state: 'queued', plugin, fixer: 'offline', playbook: 'default', stopAfter: plugin === 'delta' ? 'issue' : 'propose' });
      expect((await deps.runQueue.getJob(run))?.data).toEqual({ run });
    }
    expect((await deps.groups.get(ids.delta ?? ''))?.status).toBe('in-progress');
    expect((await deps.groups.get(ids.charlie ?? ''))?.status).toBe('triaged');
    const health = Object.fromEntries(state.plugins.map((p) => [p.name, p.health]));
    expect(health).toEqual({ alpha: 'degraded', bravo: 'degraded', charlie: 'degraded', delta: 'unavailable' });

    // Next pass: the two queued runs that may propose still count against the plugins and the proposal limit; delta's group is in progress.
    const again = await triageOnce(deps);
    expect(again.dispatched).toEqual([]);
    expect(again.held.some((h) => h.plugin === 'delta')).toBe(false);
    expect(again.held.find((h) => h.group === ids.charlie)?.reason).toBe('prConcurrentLimit 2 reached (2 open or in progress)');

    // The dashboard offers a force box for a limit, not for one run per plugin; ticked, the next pass lets the group past.
    const file = join(library.paths.state, 'tracker', 'dashboard.md');
    const board = readFileSync(file, 'utf8');
    expect(board).toContain(`- [ ] <!-- force:${ids.charlie} --> force a run now: **charlie**`);
    expect(board).toContain(`- **alpha** group \`${(ids['alpha-small'] ?? '').slice(0, 12)}\`: one active run per plugin`);
    writeFileSync(file, board.replace(`- [ ] <!-- force:${ids.charlie} -->`, `- [x] <!-- force:${ids.charlie} -->`));
    const forced = await triageOnce(deps);
    expect(forced.requests).toEqual([{ action: 'force', run: ids.charlie, outcome: 'forced past the limits in this pass' }]);
    expect(forced.dispatched.map((d) => d.plugin)).toEqual(['charlie']);
    expect(readFileSync(file, 'utf8')).not.toContain(`force:${ids.charlie}`);
  });

  it('leaves a group to the person who has it (a run escalated it): no run, not even held back, until a run is given it', async () => {
    const { library, ids } = await fleet();
    const deps = await openManager(library, { runTests: false });
    cleanups.push(() => deps.close());
    const charlie = ids.charlie ?? '';
    await deps.groups.transition(charlie, 'triaged', { needsHuman: true });
    const state = await triageOnce(deps);
    expect(state.dispatched.map((d) => d.group)).not.toContain(charlie);
    expect(state.held.map((h) => h.group)).not.toContain(charlie);
    expect((await deps.groups.get(charlie))?.status).toBe('triaged');
  });

  it('marks a plugin whose own tests fail as failing, and tests again only when its code changes', async () => {
    const { library } = await fleet();
    writeFileSync(
      join(library.paths.plugins, 'charlie', 'test', 'index.test.js'),
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('broken', () => assert.equal(1, 2));\n",
    );
    sh(library.root, 'add', '-A');
    sh(library.root, 'commit', '-q', '-m', 'break charlie');
    const deps = await openManager(library, { runTests: true });
    cleanups.push(() => deps.close());
    const first = await triageOnce(deps);
    expect(first.plugins.find((p) => p.name === 'charlie')).toMatchObject({ health: 'failing', reason: expect.stringContaining('fails') });
    const memo = readFileSync(join(library.paths.state, 'health.json'), 'utf8');
    await triageOnce(deps);
    expect(readFileSync(join(library.paths.state, 'health.json'), 'utf8')).toBe(memo);
  });

  it('a plugin without its playbook link is failed, with the reason, and gets no run', async () => {
    const { library, ids } = await fleet();
    const { rmSync } = await import('node:fs');
    rmSync(join(library.paths.plugins, 'charlie', '.steward', 'PLAYBOOK.md'));
    const deps = await openManager(library, { runTests: false });
    cleanups.push(() => deps.close());
    const state = await triageOnce(deps);
    expect(state.plugins.find((p) => p.name === 'charlie')).toMatchObject({ health: 'failed', reason: 'agent context incomplete: .steward/PLAYBOOK.md is missing' });
    expect(state.held.find((h) => h.group === ids.charlie)?.reason).toMatch(/^plugin is failed: agent context incomplete/);
  });

  it('triage, status and runs from the command line', async () => {
    const { library } = await fleet();
    const cwd = library.root;
    const triage = steward(['triage', '--once', '--no-tests', '--json'], { cwd });
    expect(triage.code).toBe(0);
    const summary = JSON.parse(triage.stdout) as { dispatched: { run: string; plugin: string }[]; held: unknown[]; openGroups: number };
    expect(summary.openGroups).toBe(5);
    expect(summary.dispatched.length).toBeGreaterThan(0);
    expect(steward(['status'], { cwd }).stdout).toMatch(/last triage .*: 4 plugin\(s\)/);
    const list = JSON.parse(steward(['runs', 'list', '--json'], { cwd }).stdout) as { runs: { id: string; state: string }[] };
    expect(list.runs.map((r) => r.state)).toEqual(summary.dispatched.map(() => 'queued'));
    const show = steward(['runs', 'show', summary.dispatched[0]?.run ?? ''], { cwd });
    expect(show.stdout).toContain('next: waits for a worker');
    expect(show.stdout).toMatch(/state\s+\{"state":"queued"\}/);
    expect(steward(['runs', 'show', 'run_nope'], { cwd }).code).toBe(2);
    expect(steward(['runs', 'list', '--state', 'bogus'], { cwd }).code).toBe(2);
  });
});
