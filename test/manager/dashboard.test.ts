import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DASHBOARD_MARKER, parseDashboard, renderDashboard } from '../../agents/manager/dashboard.ts';
import { fanOut, triageOnce } from '../../agents/manager/index.ts';
import { openManager } from '../../agents/manager/open.ts';
import type { RunRecord } from '../../orchestrator/runs/types.ts';
import { runsFixture } from '../runs/fixture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function record(id: string, state: RunRecord['state'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    plugin: 'alpha',
    group: 'f00dcafe12345678',
    trigger: 'new',
    state,
    playbook: 'default',
    playbookHash: 'h',
    fixer: 'offline',
    model: null,
    stopAfter: 'propose',
    tokensUsed: 0,
    createdAt: '',
    updatedAt: '',
    nextAction: null,
    error: null,
    outcome: null,
    ...extra,
  };
}

describe('the maintenance dashboard', () => {
  it('renders six sections with links and a box for each action a person can take, and reads the ticked ones back', () => {
    const body = renderDashboard({
      at: '2026-11-22T10:00:00.000Z',
      trigger: 'schedule',
      awaiting: [record('run_a', 'awaiting_approval', { nextAction: 'review the fix\nfor the parser' })],
      failed: [record('run_f', 'failed', { error: 'sandbox timeout' })],
      held: [
        { group: 'g1', plugin: 'bravo', reason: 'prHourlyLimit 2 reached in the last hour' },
        { group: 'g2', plugin: 'delta', reason: 'plugin is unavailable: STEWARD_X is missing' },
      ],
      unhealthy: [{ name: 'delta', health: 'unavailable', reason: 'STEWARD_X is missing' }],
      proposals: [
        {
          number: 7,
          url: 'https://github.com/acme/library/pull/7',
          fingerprint: 'f00dcafe12345678',
          plugin: 'alpha',
          title: 'fix(alpha): pad short rows',
          body: '',
          createdAt: '',
          updatedAt: '',
          issue: 3,
          branch: 'steward/alpha/f00dcafe1234',
          state: 'open',
        },
      ],
      needsHuman: [
        {
          number: 4,
          url: 'local:issues/4',
          fingerprint: 'g9',
          plugin: 'echo',
          title: '[echo] TypeError',
          body: '',
          createdAt: '',
          updatedAt: '',
          labels: ['needs-human'],
          state: 'open',
          commentCount: 2,
        },
      ],
    });
    expect(body).toContain(DASHBOARD_MARKER);
    expect(body.split('\n').filter((l) => l.startsWith('## '))).toEqual([
      '## Awaiting approval',
      '## Open proposals',
      '## Needs a person',
      '## Rate-limited',
      '## Failed runs',
      '## Unhealthy plugins',
    ]);
    expect(body).toContain('- **alpha** [#7](https://github.com/acme/library/pull/7) fix(alpha): pad short rows (branch `steward/alpha/f00dcafe1234`, fixes #3)');
    expect(body).toContain('- **echo** #4 [echo] TypeError (`local:issues/4`)');
    expect(body).toContain('- [ ] <!-- approve:run_a --> approve **alpha** `run_a` (group `f00dcafe1234`): review the fix for the parser');
    expect(body).toContain('- [ ] <!-- retry:run_f --> retry **alpha** `run_f`: sandbox timeout');
    expect(body).toContain('- [ ] <!-- force:g1 --> force a run now: **bravo** group `g1`: prHourlyLimit 2 reached in the last hour');
    expect(body).not.toContain('group `g2`');
    expect(body).toContain('- **delta**: unavailable: STEWARD_X is missing');
    expect(parseDashboard(body)).toEqual([]);

    const ticked = body
      .replace('- [ ] <!-- approve:run_a -->', '- [x] <!-- approve:run_a -->')
      .replace('- [ ] <!-- retry:run_f -->', '* [X] <!-- retry:run_f -->')
      .replace('- [ ] <!-- force:g1 -->', '- [x] <!-- force:g1 -->');
    expect(parseDashboard(`${ticked}\n- [x] <!-- retry:run_f --> again\n- [x] approve run_z without a marker\n`)).toEqual([
      { action: 'approve', run: 'run_a' },
      { action: 'force', run: 'g1' },
      { action: 'retry', run: 'run_f' },
    ]);
  });

  it('triage acts on ticked boxes once: approve answers a waiting run, retry resumes a failed one, anything else is reported', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    const waiting = await f.dispatch();
    const failed = await f.dispatch();
    await f.store.update(waiting.id, { state: 'awaiting_approval', nextAction: 'review it' });
    await f.store.update(failed.id, { state: 'failed', error: 'boom' });
    await f.queue.obliterate({ force: true });
    const deps = await openManager(f.library, { runTests: false, target: f.target });
    cleanups.push(() => deps.close());

    await triageOnce(deps);
    const file = join(f.library.paths.state, 'tracker', 'dashboard.md');
    const first = readFileSync(file, 'utf8');
    expect(first).toContain(`- [ ] <!-- approve:${waiting.id} -->`);
    expect(first).toContain(`- [ ] <!-- retry:${failed.id} -->`);
    const paused = await f.dispatch();
    await f.store.update(paused.id, { state: 'paused' });
    await f.queue.obliterate({ force: true });
    // A retry box only retries a failed run: it never pushes a paused one past its stopAfter.
    writeFileSync(file, first.replace(/- \[ \]/g, '- [x]').concat(`- [x] <!-- retry:run_gone -->\n- [x] <!-- retry:${paused.id} -->\n`));

    const second = await triageOnce(deps);
    expect(second.requests).toEqual([
      { action: 'approve', run: waiting.id, outcome: 'queued' },
      { action: 'retry', run: failed.id, outcome: 'queued' },
      { action: 'retry', run: 'run_gone', outcome: 'ignored: no run "run_gone"' },
      { action: 'retry', run: paused.id, outcome: `ignored: run ${paused.id} is paused, not failed` },
    ]);
    expect((await f.store.get(paused.id))?.state).toBe('paused');
    const jobs = await f.queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data).sort((a, b) => a.run.localeCompare(b.run))).toEqual(
      [{ run: waiting.id, resume: { decision: 'approve', by: 'dashboard' } }, { run: failed.id }].sort((a, b) => a.run.localeCompare(b.run)),
    );
    expect((await f.store.get(waiting.id))?.state).toBe('queued');
    const after = readFileSync(file, 'utf8');
    expect(parseDashboard(after)).toEqual([]);
    expect(after).toContain('Nothing waits for a review.');

    const third = await triageOnce(deps);
    expect(third.requests).toEqual([]);
  });
});

describe('the dispatch fan-out', () => {
  it('sends batches of at least 50 decisions, in at most 8 tasks, and nothing when nothing was chosen', () => {
    const chosen = (n: number) => Array.from({ length: n }, (_, i) => ({ group: `g${i}`, plugin: `p${i}`, score: 1, stopAfter: 'propose' as const, trigger: 'new' }));
    const sizes = (n: number) => {
      const sends = fanOut({ chosen: chosen(n) } as never);
      return sends === 'report' ? sends : sends.map((send) => (send.args as { batch: unknown[] }).batch.length);
    };
    expect(sizes(0)).toBe('report');
    expect(sizes(120)).toEqual([50, 50, 20]);
    expect(sizes(1000)).toEqual([125, 125, 125, 125, 125, 125, 125, 125]);
    const groups = (fanOut({ chosen: chosen(1001) } as never) as { args: { batch: { group: string }[] } }[]).flatMap((send) => send.args.batch.map((d) => d.group));
    expect(new Set(groups).size).toBe(1001);
  });
});
