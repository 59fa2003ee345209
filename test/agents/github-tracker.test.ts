import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitHubSettings } from '../../agents/trackers/github/client.ts';
import { GitHubTracker } from '../../agents/trackers/github/index.ts';
import { fingerprintMarker, markerIn } from '../../agents/trackers/types.ts';
import { createFixBranch } from '../../orchestrator/library/fix-branch.ts';
import { commitFile, makeLibrary, sh, STEWARD_ROOT } from '../helpers/git.ts';
import { githubSettings, GitHubServer } from '../helpers/github-server.ts';

const TOKEN = 'ghp_test0123456789abcdefSECRET';
const servers: GitHubServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function settings(server: GitHubServer, extra: Partial<GitHubSettings> = {}): GitHubSettings {
  return githubSettings({ owner: server.owner, repo: server.repo, baseUrl: server.url, maxRetries: 3, ...extra });
}

/** A logger whose lines the test reads, to show what reaches a log. */
function capturedLog() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { log: pino({ level: 'debug' }, sink), lines };
}

async function fixture(options: { root?: string; extra?: Partial<GitHubSettings> } = {}) {
  const server = await new GitHubServer('acme', 'plugins', TOKEN).start();
  servers.push(server);
  const waits: number[] = [];
  const { log, lines } = capturedLog();
  const tracker = new GitHubTracker(settings(server, options.extra), {
    credentials: { token: TOKEN },
    root: options.root ?? '/nonexistent',
    log,
    sleep: async (ms) => void waits.push(ms),
  });
  return { server, tracker, waits, lines };
}

const input = (fingerprint: string, plugin = 'csv-import') => ({
  fingerprint,
  plugin,
  title: `[${plugin}] TypeError in parse`,
  body: 'summary',
  labels: ['bug', `plugin:${plugin}`],
});

describe('the github tracker against a local REST server', () => {
  it('opens one issue per fingerprint with its labels and markers; a retry comments; a closed one is followed by a new one', async () => {
    const { server, tracker } = await fixture();
    const first = await tracker.upsertIssue(input('fp1'), 'run 1');
    expect(first).toMatchObject({
      created: true,
      issue: { number: 1, plugin: 'csv-import', fingerprint: 'fp1', state: 'open', labels: ['bug', 'plugin:csv-import', 'steward'], comments: [] },
    });
    expect(first.issue.url).toBe('https://github.com/acme/plugins/issues/1');
    expect(server.issues.get(1)?.body).toContain(fingerprintMarker('fp1'));
    expect([...server.labels.values()].filter((l) => l.color !== 'ededed').map((l) => [l.name, l.color])).toEqual([
      ['steward', '0e8a16'],
      ['needs-human', 'd93f0b'],
      ['steward-dashboard', '5319e7'],
      ['steward:approve', '0e8a16'],
      ['steward:reject', 'b60205'],
    ]);

    const again = await tracker.upsertIssue(input('fp1'), 'run 2 saw it again');
    expect(again).toMatchObject({ created: false, issue: { number: 1 } });
    expect(again.issue.comments.map((c) => c.body)).toEqual(['run 2 saw it again']);
    expect((await tracker.upsertIssue(input('fp2', 'md-render'), 'x')).issue.number).toBe(2);

    await tracker.addLabels(1, ['needs-human']);
    await tracker.closeIssue(1, 'fixed in 1.2.4');
    expect(server.issues.get(1)).toMatchObject({ state: 'closed', state_reason: 'completed', labels: ['steward', 'bug', 'plugin:csv-import', 'needs-human'] });
    const regressed = await tracker.upsertIssue(input('fp1'), 'x');
    expect(regressed).toMatchObject({ created: true, issue: { number: 3 } });
    expect((await tracker.findIssue('fp1'))?.number).toBe(3);
    expect((await tracker.listIssues({ state: 'closed' })).map((i) => [i.number, i.commentCount])).toEqual([[1, 2]]);
    expect((await tracker.listIssues({ plugin: 'md-render' })).map((i) => i.number)).toEqual([2]);
    await tracker.setLabels(2, ['bug']);
    expect(server.issues.get(2)?.labels).toEqual(['steward', 'bug']);
    // Labels were made once: the second issue did not list them again.
    expect(server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/labels'))).toHaveLength(1);
    expect(server.problems).toEqual([]);
  });

  it('reads every page of a long listing and ignores issues and pull requests it did not open', async () => {
    const { server, tracker } = await fixture();
    const now = new Date().toISOString();
    for (let n = 1; n <= 230; n++) {
      const ours = n % 10 !== 0;
      server.issues.set(n, {
        number: n,
        title: `t${n}`,
        body: ours ? `b\n${fingerprintMarker(`fp${n}`)}\n<!-- steward:plugin:p${n % 3} -->` : 'a person wrote this',
        state: 'open',
        labels: ['steward'],
        comments: [],
        created_at: now,
        updated_at: now,
        ...(n === 5 ? { pull: { head: 'feature', base: 'main', draft: false, merged_at: null } } : {}),
      });
    }
    const listed = await tracker.listIssues();
    expect(listed).toHaveLength(230 - 23 - 1);
    expect(listed.map((i) => i.number)).toEqual([...listed.map((i) => i.number)].sort((a, b) => a - b));
    expect(listed.find((i) => i.number === 7)).toMatchObject({ fingerprint: 'fp7', plugin: 'p1' });
    const pages = server.requests.filter((r) => r.path.endsWith('/issues'));
    expect(pages.map((r) => [r.query.page ?? '1', r.query.per_page, r.query.labels, r.query.state])).toEqual([
      ['1', '100', 'steward', 'all'],
      ['2', '100', 'steward', 'all'],
      ['3', '100', 'steward', 'all'],
    ]);
    expect(server.problems).toEqual([]);
  });

  it('puts a fix branch on GitHub through the Git Data API and opens one draft pull request for it', async () => {
    const library = await makeLibrary();
    commitFile(library.root, 'plugins/p/src/a.js', 'broken\n', 'p: add a');
    const base = commitFile(library.root, 'plugins/p/README.md', 'read me\n', 'p: add readme');
    const made = await createFixBranch(library, 'p', 'steward/p/abc', { 'src/a.js': 'fixed\n', 'README.md': null }, 'p: guard the parse\n\nFixes #1.', base);
    const { server, tracker } = await fixture({ root: library.root });
    await tracker.upsertIssue(input('fp1', 'p'), 'x');

    const proposal = { issue: 1, fingerprint: 'fp1', plugin: 'p', branch: made.branch, title: 'p: guard the parse', body: '## Root cause\n\nit broke' };
    await expect(tracker.openProposal(proposal)).rejects.toThrow(`the fix's base commit ${base.slice(0, 12)} is not on GitHub (acme/plugins)`);
    server.pushed(base, sh(library.root, 'rev-parse', `${base}^{tree}`));

    const opened = await tracker.openProposal(proposal);
    expect(opened).toMatchObject({ created: true, proposal: { number: 2, issue: 1, plugin: 'p', fingerprint: 'fp1', branch: 'steward/p/abc', state: 'open' } });
    const pull = server.issues.get(2)!;
    expect(pull.pull).toEqual({ head: 'steward/p/abc', base: 'main', draft: true, merged_at: null });
    expect(pull.body).toMatch(/^Fixes #1$/m);
    expect(pull.labels).toEqual(['steward']);
    const ref = server.refs.get('refs/heads/steward/p/abc')!;
    const commit = server.commits.get(ref)!;
    expect(commit.parents).toEqual([base]);
    // The message byte for byte and both identities as the library has them: GitHub's commit id can be the library's.
    expect(commit.message).toBe('p: guard the parse\n\nFixes #1.\n');
    expect(server.requests.find((r) => r.path.endsWith('/git/commits') && r.method === 'POST')?.body).toMatchObject({
      author: { name: 'steward', email: 'steward@localhost', date: sh(library.root, 'show', '-s', '--format=%aI', made.branch) },
      committer: { name: 'steward', email: 'steward@localhost', date: sh(library.root, 'show', '-s', '--format=%cI', made.branch) },
    });
    const tree = server.trees.get(commit.tree)!;
    expect(tree.base_tree).toBe(sh(library.root, 'rev-parse', `${base}^{tree}`));
    expect(tree.tree.map((e) => [e.path, e.mode, e.sha === null ? null : server.blobs.get(e.sha)])).toEqual([
      ['plugins/p/README.md', '100644', null],
      ['plugins/p/src/a.js', '100644', 'fixed\n'],
    ]);
    // GitHub's blob ids are git's: the same content, byte for byte.
    expect(tree.tree[1]?.sha).toBe(sh(library.root, 'rev-parse', `${made.branch}:plugins/p/src/a.js`));

    const writes = server.requests.filter((r) => r.method !== 'GET').length;
    expect(await tracker.openProposal(proposal)).toMatchObject({ created: false, proposal: { number: 2 } });
    expect(server.requests.filter((r) => r.method !== 'GET')).toHaveLength(writes);
    expect((await tracker.listProposals({ state: 'open' })).map((p) => p.number)).toEqual([2]);
    // A pull request from a fork is anyone's: the same branch name and markers do not make it steward's.
    const now = new Date().toISOString();
    server.issues.set(3, {
      number: 3,
      title: 'p: guard',
      body: `${pull.body}`,
      state: 'open',
      labels: ['steward'],
      comments: [],
      pull: { head: 'steward/p/abc', base: 'main', draft: false, merged_at: null, fork: 'mallory/plugins' },
      created_at: now,
      updated_at: now,
    });
    expect((await tracker.listProposals()).map((p) => p.number)).toEqual([2]);

    // After the branch is merged outside GitHub, a pull request GitHub has not marked merged is closed with a note.
    await tracker.setProposalState(2, 'merged');
    expect(server.issues.get(2)).toMatchObject({ state: 'closed' });
    expect(server.issues.get(2)?.comments.at(-1)?.body).toMatch(/^Merged into the library outside GitHub/);
    // Merged on GitHub: it reads as merged, and marking it so changes nothing.
    server.edit(2, (p) => Object.assign(p, { state: 'closed', pull: { ...p.pull!, merged_at: now } }));
    expect((await tracker.listProposals({ state: 'merged' })).map((p) => p.number)).toEqual([2]);
    const before = server.requests.filter((r) => r.method !== 'GET').length;
    await tracker.setProposalState(2, 'merged');
    expect(server.requests.filter((r) => r.method !== 'GET')).toHaveLength(before);
    await expect(tracker.setProposalState(2, 'open')).rejects.toThrow('pull request #2 is merged; it cannot become open');
    expect(server.problems).toEqual([]);
  });

  it('reuses a branch an earlier attempt left with the same tree, and never overwrites one that holds other work', async () => {
    const library = await makeLibrary();
    const base = commitFile(library.root, 'plugins/p/src/a.js', 'broken\n', 'p: add a');
    const made = await createFixBranch(library, 'p', 'steward/p/abc', { 'src/a.js': 'fixed\n' }, 'p: fix', base);
    const { server, tracker } = await fixture({ root: library.root });
    server.pushed(base, sh(library.root, 'rev-parse', `${base}^{tree}`));
    await tracker.upsertIssue(input('fp1', 'p'), 'x');
    const proposal = { issue: 1, fingerprint: 'fp1', plugin: 'p', branch: made.branch, title: 'p: fix', body: 'b' };

    // The ref exists from an earlier attempt whose pull request is gone (closed): the
    // same tree, so the ref is used for the new pull request.
    const first = await tracker.openProposal(proposal);
    server.edit(first.proposal.number, (pull) => (pull.state = 'closed'));
    const second = await tracker.openProposal(proposal);
    expect(second).toMatchObject({ created: true });
    expect(server.issues.get(second.proposal.number)?.pull?.head).toBe('steward/p/abc');

    server.refs.set('refs/heads/steward/p/abc', base);
    server.edit(second.proposal.number, (pull) => (pull.state = 'closed'));
    await expect(tracker.openProposal(proposal)).rejects.toThrow('branch steward/p/abc already exists on GitHub with other content; steward does not overwrite it');
  });

  it('waits out rate limits as GitHub asks, retries a 5xx only where a repeat is harmless, and gives up on a wait longer than allowed', async () => {
    const { server, tracker, waits, lines } = await fixture({ extra: { maxWaitSeconds: 120 } });
    await tracker.upsertIssue(input('fp1'), 'x');
    const comment = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/comments');
    server.fail(comment, 403, { 'retry-after': '7' }, 'You have exceeded a secondary rate limit');
    server.fail(comment, 429, {}, 'Too many requests');
    await tracker.comment(1, 'third time lucky');
    // retry-after as said; no header: a minute, doubling.
    expect(waits).toEqual([7000, 120_000]);
    expect(server.issues.get(1)?.comments.map((c) => c.body)).toEqual(['third time lucky']);
    expect(lines.filter((l) => l.includes('github asked to wait'))).toHaveLength(2);

    // A read that met a 5xx is read again; a POST may have been carried out, so it is not sent twice.
    server.fail((r) => r.method === 'GET' && r.path.endsWith('/issues'), 502, {}, 'Bad gateway');
    expect(await tracker.listIssues()).toHaveLength(1);
    expect(waits.at(-1)).toBe(1000);
    server.fail(comment, 502, {}, 'Bad gateway');
    await expect(tracker.comment(1, 'once')).rejects.toMatchObject({
      code: 'E_TRACKER_REQUEST',
      message: 'GitHub answered 502 to POST /repos/acme/plugins/issues/1/comments: Bad gateway',
    });
    expect(server.requests.filter((r) => comment(r) && (r.body as { body: string }).body === 'once')).toHaveLength(1);

    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.fail(comment, 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, 'API rate limit exceeded');
    await expect(tracker.comment(1, 'later')).rejects.toMatchObject({
      code: 'E_TRACKER_RATE_LIMITED',
      message: expect.stringMatching(/asks for 36\d\d s, more than github.maxWaitSeconds \(120\)/),
    });
    expect(server.issues.get(1)?.comments).toHaveLength(1);
  });

  it('turns a refused token into E_TRACKER_AUTH with a hint, and the token reaches no log, error or request body', async () => {
    const { server, tracker, lines } = await fixture();
    server.fail(() => true, 401, {}, 'Bad credentials');
    const error = await tracker.listIssues().catch((e: unknown) => e as Error & { code: string; details: { hint?: string } });
    expect(error).toMatchObject({
      code: 'E_TRACKER_AUTH',
      message: 'GitHub answered 401 to GET /repos/acme/plugins/issues: Bad credentials',
      details: { hint: 'check the token in $GITHUB_TOKEN' },
    });
    await tracker.upsertIssue({ ...input('fp1'), body: 'token? none here' }, 'x');
    const everything = [...lines, JSON.stringify(server.requests), String((error as Error).stack), JSON.stringify(error)].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(server.requests.length).toBeGreaterThan(2);
  });

  it("keeps the maintenance dashboard as one issue, reads a maintainer's ticks back and updates it in place", async () => {
    const { server, tracker } = await fixture();
    expect(await tracker.readDashboard()).toBeUndefined();
    await tracker.writeDashboard('# Dashboard\n\n- [ ] <!-- approve:run1@i1 --> approve run1\n');
    const [number] = [...server.issues.keys()];
    expect(server.issues.get(number!)).toMatchObject({ title: 'Plugin Steward: maintenance dashboard', labels: ['steward-dashboard'], state: 'open' });
    server.edit(number!, (issue) => (issue.body = issue.body.replace('- [ ]', '- [x]')));
    expect(await tracker.readDashboard()).toBe('# Dashboard\n\n- [x] <!-- approve:run1@i1 --> approve run1\n');
    await tracker.writeDashboard('# Dashboard\n\nnothing waits\n');
    await tracker.writeDashboard('# Dashboard\n\nnothing waits\n');
    expect(server.issues.size).toBe(1);
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(await tracker.readDashboard()).toBe('# Dashboard\n\nnothing waits\n');
    // The dashboard is not an issue of a group.
    expect(await tracker.listIssues()).toEqual([]);
    expect(markerIn(server.issues.get(number!)!.body)).toBeUndefined();
    expect(server.problems).toEqual([]);
  });

  it('is what the config names: `steward issues` lists GitHub issues, and a missing token is one clear error', async () => {
    const { server, tracker } = await fixture();
    await tracker.upsertIssue(input('fp1'), 'x');
    const library = await makeLibrary();
    writeFileSync(
      join(library.root, 'steward.config.json'),
      `${JSON.stringify({ tracker: 'github', github: { owner: 'acme', repo: 'plugins', baseUrl: server.url, tokenEnv: 'ACME_GITHUB_TOKEN' } })}\n`,
    );
    // The server runs in this process, so the CLI runs without blocking it.
    const cli = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), '--library', library.root, 'issues', 'list', '--json'], {
        env: { ...process.env, STEWARD_LIBRARY: '', ...env },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const listed = await cli({ ACME_GITHUB_TOKEN: TOKEN });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { issues: { number: number; fingerprint: string; url: string }[] }).issues).toEqual([
      expect.objectContaining({ number: 1, fingerprint: 'fp1', url: 'https://github.com/acme/plugins/issues/1', commentCount: 0 }),
    ]);
    const refused = await cli({ ACME_GITHUB_TOKEN: '' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('E_CONFIG_INVALID: $.github.tokenEnv: the github tracker needs a token in $ACME_GITHUB_TOKEN, which is not set');
    expect(server.problems).toEqual([]);
  });
});
