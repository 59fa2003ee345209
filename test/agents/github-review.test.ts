import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmFixer } from '../../agents/fixers/llm/index.ts';
import { syncReviews, type SyncReport } from '../../agents/plugin-agent/review-sync.ts';
import { GitHubTracker } from '../../agents/trackers/github/index.ts';
import { openTracker } from '../../agents/trackers/registry.ts';
import { serveHost } from '../../orchestrator/host/serve.ts';
import { githubWebhook } from '../../orchestrator/cli/github-webhook.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { githubWebhookRoute } from '../../orchestrator/ingest/github-webhook.ts';
import type { GitHubSettings } from '../../agents/trackers/github/client.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { executeRun } from '../../orchestrator/runs/execute-run.ts';
import { agentSetup, scriptedModel, type AgentSetup, type Cleanups } from '../helpers/agent-setup.ts';
import { makeLibrary, sh } from '../helpers/git.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { REVIEW_SYNC_SCHEDULER_ID } from '../../agents/manager/schedule.ts';
import { startWorker } from '../../orchestrator/cli/worker-process.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { openQueue, QUEUES } from '../../orchestrator/ingest/queues.ts';
import { connect, QUEUE_PREFIX } from '../../orchestrator/redis/connection.ts';
import { QueueEvents } from 'bullmq';
import { githubSettings, GitHubServer } from '../helpers/github-server.ts';
import { tempDir } from '../helpers/temp.ts';
import { quietLog } from '../runs/fixture.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const TOKEN = 'ghp_reviewSECRETtoken0123456789';
const SECRET = 'whsec-the-webhook-secret';

function settings(server: GitHubServer): GitHubSettings {
  return githubSettings({ owner: 'acme', repo: 'library', baseUrl: server.url, maxRetries: 0, maxWaitSeconds: 1 });
}

/** csv-import in a library whose tracker is GitHub (the stand-in), run until its validated fix waits. */
async function waitingOnGitHub(): Promise<{ s: AgentSetup; server: GitHubServer; run: string; sync: () => Promise<SyncReport> }> {
  const server = await new GitHubServer('acme', 'library', TOKEN).start();
  cleanups.push(() => server.close());
  const github = (library: Library) => {
    library.config.tracker = 'github';
    library.config.github = settings(server);
    return new GitHubTracker(library.config.github, { credentials: { token: TOKEN }, root: library.root, log: quietLog });
  };
  const model = scriptedModel({ oldText: 'const value = fields[c];', newText: "const value = fields[c] ?? '';" });
  const s = await agentSetup(cleanups, 'csv-import', (d) => [d.trigger.input], 'propose', [new LlmFixer(async () => model)], github, { ...process.env, GITHUB_TOKEN: TOKEN });
  server.pushed(sh(s.library.root, 'rev-parse', 'HEAD'), sh(s.library.root, 'rev-parse', 'HEAD^{tree}'));
  const run = await s.dispatch();
  expect(await executeRun({ run: run.id }, s.deps, new AbortController())).toBe('awaiting_approval');
  const sync = () => syncReviews({ library: s.library, tracker: s.tracker, control: s.control, groups: new GroupStore(s.deps.redis), log: quietLog });
  return { s, server, run: run.id, sync };
}

/** The job the answer queued, executed as a worker would. */
async function goOn(s: AgentSetup, run: string): Promise<string> {
  const job = (await s.control.queue.getJobs(['waiting'])).filter((j) => j.data.run === run).at(-1);
  return executeRun(job?.data ?? { run }, s.deps, new AbortController());
}

const writes = (server: GitHubServer) => server.requests.filter((r) => r.method !== 'GET').length;

describe('review on GitHub', () => {
  it('a validated fix is a draft pull request at once; a signed approving review publishes it; the merged webhook settles it in the next version', async () => {
    const { s, server, run } = await waitingOnGitHub();
    const webhook = await githubWebhook(s.library, { GITHUB_TOKEN: TOKEN, GITHUB_WEBHOOK_SECRET: SECRET });
    cleanups.push(() => webhook.close());
    const served = await serveHost(s.library, s.target, { port: 0, bind: '127.0.0.1', crashLimit: 3, crashWindowMs: 60_000, webhook: webhook.options });
    cleanups.push(() => served.close());
    expect(served.webhook).toBe('on');
    const hook = `http://${served.where}/v1/github/webhook`;

    // The draft, with the evidence in its body, before anyone approved anything.
    const branch = `steward/csv-import/${s.group.slice(0, 12)}`;
    const pull = server.issues.get(2);
    expect(pull?.pull).toMatchObject({ head: branch, base: 'main', draft: true, merged_at: null });
    for (const part of ['## Reproduction', 'captured input', 'C-1002', '## Root cause', '## Evidence', '- the suite:', '## Change', '```diff', `<!-- steward:run:${run} -->`])
      expect(pull?.body, part).toContain(part);
    expect(pull?.body).toMatch(/^Fixes #1$/m);
    expect(pull?.body).toContain('approve it with an approving review or the `steward:approve` label');
    expect(server.issues.get(1)?.comments.at(-1)?.body).toContain('Review it in draft proposal #2: https://github.com/acme/library/pull/2');
    const commit = server.commits.get(server.refs.get(`refs/heads/${branch}`) ?? '');
    expect(commit?.parents).toEqual([sh(s.library.root, 'rev-parse', 'HEAD')]);

    // A drive-by approval on a public repository does not count; a forged delivery changes nothing.
    server.review(2, 'drive-by', 'APPROVED', 'lgtm', 'NONE');
    expect((await server.deliver(hook, SECRET, 'pull_request_review', server.payload(2, 'submitted'))).status).toBe(200);
    expect((await s.store.get(run))?.state).toBe('awaiting_approval');
    server.review(2, 'alice', 'APPROVED', 'right fix');
    const before = writes(server);
    const forged = await server.deliver(hook, 'not-the-secret', 'pull_request_review', server.payload(2, 'submitted'));
    expect(forged).toMatchObject({ status: 401, body: { error: { type: 'BadSignature' } } });
    expect((await s.store.get(run))?.state).toBe('awaiting_approval');
    expect(writes(server)).toBe(before);

    const approved = await server.deliver(hook, SECRET, 'pull_request_review', server.payload(2, 'submitted'));
    expect(approved).toMatchObject({ status: 200, body: { pullRequest: 2, result: { decided: [{ proposal: 2, run, decision: 'approve', by: 'alice', how: 'review' }] } } });
    expect((await s.store.get(run))?.state).toBe('queued');
    expect(await goOn(s, run)).toBe('completed');
    expect(server.issues.get(2)?.pull?.draft).toBe(false);
    expect(server.issues.get(1)?.comments.at(-1)?.body).toMatch(/proposal #2\. Approved by alice\.$/);
    expect([...server.issues.values()].filter((i) => i.pull)).toHaveLength(1);

    // Merged on GitHub: the delivery brings the merge into the library and settles it.
    const version = JSON.parse(readFileSync(join(s.library.paths.plugins, 'csv-import/plugin.json'), 'utf8')) as { version: string };
    server.closePull(2, 'alice', true);
    const merged = await server.deliver(hook, SECRET, 'pull_request', server.payload(2, 'closed'));
    expect(merged).toMatchObject({ status: 200, body: { result: { settled: [{ proposal: 2, state: 'merged' }] } } });
    expect(sh(s.library.root, 'log', '-1', '--format=%s', 'HEAD^')).toBe(`Merge pull request #2 from ${branch}`);
    const released = JSON.parse(readFileSync(join(s.library.paths.plugins, 'csv-import/plugin.json'), 'utf8')) as { version: string };
    expect(released.version).not.toBe(version.version);
    expect(await new GroupStore(s.deps.redis).get(s.group)).toMatchObject({ status: 'resolved', resolvedIn: released.version });
    expect(server.issues.get(1)?.state).toBe('closed');
    // A redelivery finds it settled and writes nothing.
    const settledWrites = writes(server);
    expect((await server.deliver(hook, SECRET, 'pull_request', server.payload(2, 'closed'))).status).toBe(200);
    expect(writes(server)).toBe(settledWrites);
    expect(server.problems).toEqual([]);

    // The token and the secret reached no request body, run record, event, log or checkpoint.
    expect(JSON.stringify(server.requests)).not.toContain(TOKEN);
    const files = readdirSync(s.library.paths.state, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.filter((f) => [TOKEN, SECRET].some((secret) => readFileSync(join(f.parentPath, f.name)).includes(secret))).map((f) => f.name)).toEqual([]);
  }, 120_000);

  it('the reject label rejects with the latest review as the reason, and steward closes the draft', async () => {
    const { s, server, run, sync } = await waitingOnGitHub();
    expect((await sync()).decided).toEqual([]);
    server.review(2, 'bob', 'CHANGES_REQUESTED', 'an empty id should be an error, not an empty string');
    expect((await sync()).decided).toEqual([]);
    server.label(2, 'steward:reject', 'bob');
    expect((await sync()).decided).toEqual([{ proposal: 2, run, decision: 'reject', by: 'bob', how: 'label' }]);
    expect(await goOn(s, run)).toBe('completed');
    expect(server.issues.get(2)?.state).toBe('closed');
    const issue = server.issues.get(1);
    expect(issue?.labels).toContain('needs-human');
    expect(issue?.comments.at(-1)?.body).toBe('**Needs a person:** bob rejected the proposed fix: an empty id should be an error, not an empty string. No patch is proposed.');
    // Answered once: the next sync leaves the finished run alone.
    expect((await sync()).decided).toEqual([]);
    expect(server.problems).toEqual([]);
  }, 120_000);

  it('closing the draft rejects it; the approve label approves another', async () => {
    const closed = await waitingOnGitHub();
    closed.server.closePull(2, 'carol');
    expect((await closed.sync()).decided).toEqual([{ proposal: 2, run: closed.run, decision: 'reject', by: 'carol', how: 'closed' }]);
    expect(await goOn(closed.s, closed.run)).toBe('completed');
    expect(closed.server.issues.get(1)?.comments.at(-1)?.body).toContain('carol rejected the proposed fix: the pull request was closed on GitHub');

    const labelled = await waitingOnGitHub();
    labelled.server.label(2, 'steward:approve', 'dave');
    expect((await labelled.sync()).decided).toEqual([{ proposal: 2, run: labelled.run, decision: 'approve', by: 'dave', how: 'label' }]);
    expect(await goOn(labelled.s, labelled.run)).toBe('completed');
    expect(labelled.server.issues.get(2)).toMatchObject({ state: 'open', pull: { draft: false } });
  }, 180_000);
});

describe('the scheduled review sync', () => {
  it('is scheduled on the triage queue with the github tracker and runs there against the API', async () => {
    const server = await new GitHubServer('acme', 'library', TOKEN).start();
    cleanups.push(() => server.close());
    const made = await makeLibrary();
    // A variable of this test's own: the worker reads the token from its environment.
    const tokenEnv = 'STEWARD_TEST_REVIEW_SYNC_TOKEN';
    process.env[tokenEnv] = TOKEN;
    cleanups.push(() => delete process.env[tokenEnv]);
    writeFileSync(
      join(made.root, 'steward.config.json'),
      `${JSON.stringify({ tracker: 'github', github: { ...settings(server), tokenEnv, syncSchedule: '*/3 * * * *' }, manager: { schedule: 'off' } })}\n`,
    );
    const library = openLibrary({ library: made.root });
    const { target } = await startTestRedis(library.paths.state);
    const worker = await startWorker(target, library, { ingest: false, triage: true, schedule: true, runTests: false, log: quietLog });
    cleanups.push(() => worker.close());
    expect(worker.lines).toContain('schedule: review sync with GitHub at "*/3 * * * *" (upserted)');
    const redis = connect(target, 'test');
    const triage = openQueue<unknown>(QUEUES.triage, redis);
    cleanups.push(async () => {
      await triage.close();
      redis.disconnect();
    });
    expect((await triage.getJobSchedulers()).map((j) => [j.key, j.pattern])).toContainEqual([REVIEW_SYNC_SCHEDULER_ID, '*/3 * * * *']);
    // The job is removed once done: its result comes through the queue's events.
    const events = new QueueEvents(QUEUES.triage, { connection: connect(target, 'test-events'), prefix: QUEUE_PREFIX });
    cleanups.push(() => events.close());
    await events.waitUntilReady();
    const job = await triage.add('review-sync', { reviewSync: true });
    expect(await job.waitUntilFinished(events, 30_000)).toEqual({ synced: { decided: [], notBroughtIn: [], settled: [] } });
    expect(server.requests.some((r) => r.method === 'GET' && r.path === '/repos/acme/library/pulls')).toBe(true);
    expect(server.problems).toEqual([]);
  }, 60_000);
});

describe('the GitHub webhook route', () => {
  async function serve(route: ReturnType<typeof githubWebhookRoute>): Promise<string> {
    const server = createServer((req, res) => void route(req, res).then((mine) => mine || res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/github/webhook`;
  }

  it('answers a ping, ignores other repositories and events, and says why when webhooks are off', async () => {
    const seen: number[] = [];
    const github = await new GitHubServer('acme', 'library', TOKEN).start();
    cleanups.push(() => github.close());
    const on = await serve(githubWebhookRoute({ secret: SECRET, off: '', repository: 'acme/library', onPullRequest: async (n) => seen.push(n) }));
    expect(await github.deliver(on, SECRET, 'ping', { zen: 'Design for failure.' })).toEqual({ status: 200, body: { pong: true } });
    const foreign = { action: 'closed', pull_request: { number: 9 }, repository: { full_name: 'someone/else' } };
    expect((await github.deliver(on, SECRET, 'pull_request', foreign)).status).toBe(202);
    expect((await github.deliver(on, SECRET, 'issues', { action: 'opened', repository: { full_name: 'acme/library' } })).status).toBe(202);
    expect((await github.deliver(on, SECRET, 'pull_request', { action: 'labeled', pull_request: { number: 4 }, repository: { full_name: 'ACME/library' } })).status).toBe(200);
    expect(seen).toEqual([4]);

    const off = await serve(githubWebhookRoute({ secret: undefined, off: 'set $GITHUB_WEBHOOK_SECRET', repository: 'acme/library', onPullRequest: async () => undefined }));
    expect(await github.deliver(off, SECRET, 'ping', {})).toEqual({
      status: 404,
      body: { error: { type: 'WebhooksOff', message: 'GitHub webhooks are off: set $GITHUB_WEBHOOK_SECRET' } },
    });
  });
});

describe('GitHub App authentication', () => {
  it("mints an installation token with the app's key and works with it; a missing key is one clear config error", async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const installationToken = 'ghs_installationSECRET0123456789';
    const server = await new GitHubServer('acme', 'library', installationToken, { id: 4242, installation: 77, publicKey }).start();
    cleanups.push(() => server.close());
    const library = await makeLibrary();
    const keyFile = join(tempDir(), 'app.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }));
    library.config.tracker = 'github';
    library.config.github = { ...settings(server), app: { appId: 4242, installationId: 77, privateKeyFile: keyFile } };
    // No token in the environment: the app's key is all it needs.
    const tracker = openTracker(library, { env: {}, log: quietLog });
    const { issue } = await tracker.upsertIssue({ fingerprint: 'fp-app', plugin: 'csv-import', title: 'An issue opened as the app', body: 'b', labels: [] }, 'again');
    expect(issue.number).toBe(1);
    expect(server.requests.filter((r) => r.path === '/app/installations/77/access_tokens')).toHaveLength(1);
    expect(server.problems).toEqual([]);

    library.config.github = { ...library.config.github, app: { appId: 4242, installationId: 77, privateKeyFile: join(tempDir(), 'missing.pem') } };
    expect(() => openTracker(library, { env: {} })).toThrow(/the GitHub App's private key cannot be read: .*missing\.pem/);
  });
});
