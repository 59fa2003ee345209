import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubClient, type GitHubSettings } from '../../agents/trackers/github/client.ts';
import { githubSettings } from '../helpers/github-server.ts';
import { GitHubTracker } from '../../agents/trackers/github/index.ts';
import { issueRecord, type GitHubIssue } from '../../agents/trackers/github/records.ts';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { freePort } from '../helpers/processes.ts';

/**
 * Steward's GitHub client against GitHub's own recorded answers: @octokit/fixtures-server
 * replays scenarios recorded from api.github.com and refuses any request that differs
 * from the recording in method, path, query, body or headers.
 */
const TOKEN = '0000000000000000000000000000000000000001';
const log = createLogger({ test: 'github-fixtures' });
let server: ChildProcess;
let root = '';

beforeAll(async () => {
  const port = await freePort();
  root = `http://localhost:${port}`;
  server = spawn(process.execPath, [join(STEWARD_ROOT, 'node_modules/@octokit/fixtures-server/bin/server.js'), '--port', String(port), '--log-level', 'error'], {
    stdio: 'ignore',
  });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = await fetch(`${root}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(up).toBe(true);
});

afterAll(() => {
  server.kill();
});

/** Loads a recorded scenario; its URL stands in for https://api.github.com. */
async function scenario(name: string, repo: string): Promise<GitHubSettings> {
  const response = await fetch(`${root}/fixtures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: name }) });
  const { url } = (await response.json()) as { url: string };
  return githubSettings({ owner: 'octokit-fixture-org', repo, baseUrl: url, maxRetries: 0, maxWaitSeconds: 1 });
}

describe("the github client against GitHub's recorded scenarios", () => {
  it('creates an issue and adds labels to it (add-labels-to-issue)', async () => {
    const settings = await scenario('add-labels-to-issue', 'add-labels-to-issue');
    const client = githubClient(settings, { credentials: { token: TOKEN }, log });
    const created = await client.rest.issues.create({ owner: settings.owner, repo: settings.repo, title: 'Issue without a label' });
    expect(created.data).toMatchObject({ number: 1, state: 'open', title: 'Issue without a label' });
    // An issue without steward's markers is a person's: the tracker's listings leave it out.
    expect(issueRecord(created.data as GitHubIssue)).toBeUndefined();
    const tracker = new GitHubTracker(settings, { credentials: { token: TOKEN }, root: STEWARD_ROOT, log });
    await expect(tracker.addLabels(1, ['Foo', 'bAr', 'baZ'])).resolves.toBeUndefined();
  });

  it('lists labels and creates one (labels)', async () => {
    const settings = await scenario('labels', 'labels');
    const client = githubClient(settings, { credentials: { token: TOKEN }, log });
    const listed = await client.paginate(client.rest.issues.listLabelsForRepo, { owner: settings.owner, repo: settings.repo });
    expect(listed.length).toBeGreaterThan(0);
    const made = await client.rest.issues.createLabel({ owner: settings.owner, repo: settings.repo, name: 'test-label', color: '663399' });
    expect(made.data).toMatchObject({ name: 'test-label', color: '663399' });
  });

  it("follows GitHub's Link headers through every page of issues (paginate-issues)", async () => {
    const settings = await scenario('paginate-issues', 'paginate-issues');
    const client = githubClient(settings, { credentials: { token: TOKEN }, log });
    const issues = await client.paginate(client.rest.issues.listForRepo, { owner: settings.owner, repo: settings.repo, per_page: 3 });
    expect(issues.map((i) => i.number)).toEqual([...new Set(issues.map((i) => i.number))]);
    const recorded = JSON.parse(readFileSync(join(STEWARD_ROOT, 'node_modules/@octokit/fixtures/scenarios/api.github.com/paginate-issues/normalized-fixture.json'), 'utf8')) as {
      response: unknown[];
    }[];
    expect(recorded).toHaveLength(5);
    expect(issues).toHaveLength(recorded.reduce((n, page) => n + page.response.length, 0));
  });

  it("turns GitHub's validation failure into E_TRACKER_CONFLICT that says what GitHub said (errors)", async () => {
    const settings = await scenario('errors', 'errors');
    const client = githubClient(settings, { credentials: { token: TOKEN }, log });
    await expect(client.rest.issues.createLabel({ owner: settings.owner, repo: settings.repo, name: 'foo', color: 'invalid' })).rejects.toMatchObject({
      code: 'E_TRACKER_CONFLICT',
      status: 422,
      message: 'GitHub answered 422 to POST /repos/octokit-fixture-org/errors/labels: Validation Failed',
    });
  });
});
