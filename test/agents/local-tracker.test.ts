import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTracker } from '../../agents/trackers/local/index.ts';
import { openTracker } from '../../agents/trackers/registry.ts';
import { fingerprintMarker, markerIn } from '../../agents/trackers/types.ts';
import { isStewardError } from '../../orchestrator/core/errors.ts';
import { fileLock } from '../../orchestrator/core/file-lock.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';
import { spawnRecorded } from '../helpers/processes.ts';

const issue = (fingerprint: string) => ({ fingerprint, plugin: 'csv-import', title: 'TypeError in parse', body: 'summary', labels: ['steward', 'bug', 'steward'] });

describe('the local tracker', () => {
  it('opens one issue per fingerprint: a retry comments, a closed one is followed by a new one', async () => {
    const tracker = new LocalTracker(tempDir());
    const first = await tracker.upsertIssue(issue('fp1'), 'run 1');
    expect(first.created).toBe(true);
    expect(first.issue).toMatchObject({ number: 1, url: 'local:issues/1', labels: ['bug', 'steward'], state: 'open', comments: [] });
    expect(markerIn(first.issue.body)).toBe('fp1');

    const again = await tracker.upsertIssue(issue('fp1'), 'run 2 saw it again');
    expect(again).toMatchObject({ created: false, issue: { number: 1 } });
    expect((await tracker.getIssue(1))?.comments.map((c) => c.body)).toEqual(['run 2 saw it again']);
    expect((await tracker.upsertIssue(issue('fp2'), 'x')).issue.number).toBe(2);

    await tracker.closeIssue(1, 'fixed in 1.2.4');
    const regressed = await tracker.upsertIssue(issue('fp1'), 'x');
    expect(regressed).toMatchObject({ created: true, issue: { number: 3 } });
    expect((await tracker.findIssue('fp1'))?.number).toBe(3);
    expect((await tracker.listIssues({ state: 'closed' })).map((i) => i.number)).toEqual([1]);
  });

  it('never opens two issues for one fingerprint when processes race', async () => {
    const dir = tempDir();
    const start = Date.now() + 2500;
    const contenders = await Promise.all(Array.from({ length: 6 }, (_, i) => spawnRecorded(join(STEWARD_ROOT, 'test/helpers/tracker-race.ts'), [dir, String(start), `p${i}`])));
    const said = await Promise.all(contenders.map(async ({ exited }) => (await exited).trim().split('\n').at(-1) ?? ''));
    expect(said.sort()).toEqual(['commented', 'commented', 'commented', 'commented', 'commented', 'created']);
    const tracker = new LocalTracker(dir);
    expect(await tracker.listIssues()).toHaveLength(1);
    expect((await tracker.getIssue(1))?.comments).toHaveLength(5);
  }, 60_000);

  it("takes over a lock left by a dead holder, and never releases another holder's lock", async () => {
    const dir = tempDir();
    const file = join(dir, 'lock');
    writeFileSync(file, 'dead-holder');
    utimesSync(file, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    const release = await fileLock(file, { staleMs: 30_000, waitMs: 5000, timeout: () => new Error('timeout') });
    const token = readFileSync(file, 'utf8');
    expect(token).not.toBe('dead-holder');
    writeFileSync(file, 'someone-else');
    release();
    expect(readFileSync(file, 'utf8')).toBe('someone-else');
    await expect(fileLock(file, { staleMs: 30_000, waitMs: 100, timeout: () => new Error('held') })).rejects.toThrow('held');
  });

  it('keeps one open proposal per fix branch, says which issue it fixes, and tracks its state', async () => {
    const tracker = new LocalTracker(tempDir());
    const { issue: opened } = await tracker.upsertIssue(issue('fp'), '');
    const input = { issue: opened.number, fingerprint: 'fp', plugin: 'csv-import', branch: 'steward/csv-import/fp', title: 'Guard the empty line', body: 'root cause' };
    const first = await tracker.openProposal(input);
    expect(first.created).toBe(true);
    expect(first.proposal.body).toContain(`Fixes #${opened.number}`);
    expect(first.proposal.body).toContain(fingerprintMarker('fp'));
    expect((await tracker.openProposal(input)).created).toBe(false);
    await tracker.setProposalState(first.proposal.number, 'merged');
    expect((await tracker.listProposals({ state: 'merged' })).map((p) => p.number)).toEqual([1]);
    let caught: unknown;
    try {
      await tracker.openProposal({ ...input, issue: 99, branch: 'other' });
    } catch (error) {
      caught = error;
    }
    expect(isStewardError(caught) && caught.message).toBe('no issue #99 in the local tracker');
  });

  it('keeps the dashboard as a file, and the registry refuses an unknown tracker and a github tracker without its token', async () => {
    const dir = tempDir();
    const tracker = new LocalTracker(dir);
    expect(await tracker.readDashboard()).toBeUndefined();
    await tracker.writeDashboard('# board\n');
    expect(readFileSync(join(dir, 'dashboard.md'), 'utf8')).toBe('# board\n');
    expect(() => openTracker({ paths: { state: dir }, config: { tracker: 'gitlab' } } as never)).toThrow(/unknown tracker "gitlab" \(built: local, github\)/);
    const github = {
      owner: 'o',
      repo: 'r',
      baseUrl: 'https://api.github.com',
      tokenEnv: 'STEWARD_TEST_TOKEN',
      baseBranch: 'main',
      label: 'steward',
      writeIntervalMs: 0,
      maxRetries: 0,
      maxWaitSeconds: 1,
    };
    expect(() => openTracker({ root: dir, paths: { state: dir }, config: { tracker: 'github', github } } as never, { env: {} })).toThrow(
      'the github tracker needs a token in $STEWARD_TEST_TOKEN, which is not set',
    );
    expect(openTracker({ root: dir, paths: { state: dir }, config: { tracker: 'github', github } } as never, { env: { STEWARD_TEST_TOKEN: 't' } }).name).toBe('github');
  });
});
