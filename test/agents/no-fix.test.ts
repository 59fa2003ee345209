import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openManager } from '../../agents/manager/open.ts';
import { triageOnce } from '../../agents/manager/triage.ts';
import type { Fixer, FixRequest } from '../../agents/fixers/types.ts';
import { pluginAgent } from '../../agents/plugin-agent/agent.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { Ingest } from '../../orchestrator/ingest/ingest-consumer.ts';
import { openQueue, QUEUES, type DeadLetter, type TriageJob } from '../../orchestrator/ingest/queues.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { replayRun } from '../../orchestrator/runs/control.ts';
import { openCheckpointer } from '../../orchestrator/runs/database.ts';
import { executeRun, type ExecutorDeps } from '../../orchestrator/runs/execute-run.ts';
import { makeLibrary, sh } from '../helpers/git.ts';
import { eventOf } from '../helpers/ingest.ts';
import { manifestFor, writePlugin, type PluginFiles } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { quietLog } from '../runs/fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fixer that proposes nothing and remembers being asked: a run that attempts no fix never asks it. */
function recordingFixer(): Fixer & { calls: FixRequest[] } {
  const calls: FixRequest[] = [];
  return {
    name: 'recording',
    calls,
    propose: async (request) => {
      calls.push(request);
      return [];
    },
  };
}

/** One plugin in a fresh library, its Redis, the Manager's deps, and an executor with the Plugin Agent and a recording fixer. */
async function fleet(name: string, files: PluginFiles) {
  const library: Library = await makeLibrary();
  writePlugin(join(library.paths.plugins, name), name, files);
  linkTemplates(library);
  sh(library.root, 'add', '-A');
  sh(library.root, 'commit', '-q', '-m', name);
  const { target } = await startTestRedis(library.paths.state);
  const redis = connect(target, 'test-no-fix');
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  const triage = openQueue<TriageJob>(QUEUES.triage, redis);
  const manager = await openManager(library, { runTests: false, target });
  const saver = openCheckpointer(library);
  cleanups.push(async () => {
    await Promise.all([dead.close(), triage.close()]);
    redis.disconnect();
    await manager.close();
    await saver.close();
  });
  const fixer = recordingFixer();
  const agent = pluginAgent({ groups: new GroupStore(redis), tracker: manager.tracker, fixers: [fixer], env: process.env });
  const executor: ExecutorDeps = { library, store: manager.runs, redis, agent, checkpointer: saver, owner: 'test', lockMs: 30_000, maxResumes: 1, log: quietLog };
  const ingest = new Ingest({ library, redis, dead, triage });
  const nodes = async (run: string): Promise<string[]> => (await manager.runs.events(run)).filter((e) => e.kind === 'node-started').map((e) => (e.data as { node: string }).node);
  const outcome = async (run: string): Promise<unknown> => (await saver.getTuple({ configurable: { thread_id: run, checkpoint_ns: '' } }))?.checkpoint.channel_values.outcome;
  return { library, manager, saver, fixer, executor, ingest, nodes, outcome };
}

describe('a group whose plugin cannot run here', () => {
  it('gets one needs-human issue with the error, the stack, the input and the missing variable, and no fix; triage again makes no second', async () => {
    process.env.LEDGER_TEST_REGION = 'eu-west-value-0123456789';
    cleanups.push(() => delete process.env.LEDGER_TEST_REGION);
    const f = await fleet('ledger', {
      manifest: manifestFor('ledger', {
        env: [
          { name: 'LEDGER_TEST_KEY', required: true, secret: true },
          { name: 'LEDGER_TEST_REGION', secret: true },
        ],
      }),
    });
    let group = '';
    for (let i = 0; i < 3; i++) group = (await f.ingest.process(eventOf('ledger', { fn: 'post' }), `ledger-${i}`)).group ?? group;

    // Two passes before a worker takes the run: the group is in progress after the first.
    const first = await triageOnce(f.manager);
    const second = await triageOnce(f.manager);
    expect(first.plugins.find((p) => p.name === 'ledger')).toMatchObject({ health: 'unavailable', reason: 'required environment variable LEDGER_TEST_KEY is not set' });
    expect(first.dispatched).toEqual([
      { run: expect.any(String), group, plugin: 'ledger', issueOnly: 'plugin is unavailable: required environment variable LEDGER_TEST_KEY is not set' },
    ]);
    expect(first.held).toEqual([]);
    expect(second.dispatched).toEqual([]);
    const run = first.dispatched[0]?.run ?? '';
    expect(await f.manager.runs.get(run)).toMatchObject({ state: 'queued', stopAfter: 'issue' });

    expect(await executeRun({ run }, f.executor, new AbortController())).toBe('completed');
    expect(await f.nodes(run)).toEqual(['load-context', 'open-issue', 'escalate']);
    expect(f.fixer.calls).toEqual([]);
    expect(await f.outcome(run)).toBe('unavailable: required environment variable LEDGER_TEST_KEY is not set');
    const issues = await f.manager.tracker.listIssues();
    expect(issues).toHaveLength(1);
    const issue = await f.manager.tracker.getIssue(issues[0]?.number ?? 0);
    expect(issue).toMatchObject({ fingerprint: group, plugin: 'ledger', labels: ['bug', 'needs-human', 'plugin:ledger', 'steward'] });
    expect(issue?.title).toBe("[ledger] TypeError: Cannot read properties of undefined (reading 'trim')");
    expect(issue?.body).toContain('at post (src/records.js:53:41)');
    expect(issue?.body).toContain('"text": "a,b\\n1"');
    expect(issue?.body).toContain(
      '**Not reproduced here, and no fix is attempted:** the plugin cannot run where steward works on it (required environment variable LEDGER_TEST_KEY is not set).',
    );
    expect(issue?.body).toContain('- required environment variable LEDGER_TEST_KEY is not set (`$.env[0]` in `plugins/ledger/plugin.json`)');
    expect(issue?.body).toContain(`steward runs replay ${run}`);
    expect(issue?.comments.map((c) => c.body)).toEqual([
      '**Needs a person:** the plugin cannot run here (required environment variable LEDGER_TEST_KEY is not set), so the error is not reproduced and no fix is attempted.',
    ]);

    // A third pass, and a second run of the group (a replay): still the one issue, commented on.
    expect((await triageOnce(f.manager)).dispatched).toEqual([]);
    const again = await replayRun({ store: f.manager.runs, queue: f.manager.runQueue, redis: f.manager.redis }, f.saver, run);
    expect(await executeRun({ run: again.id }, f.executor, new AbortController())).toBe('completed');
    expect(await f.manager.tracker.listIssues()).toHaveLength(1);
    expect((await f.manager.tracker.getIssue(issue?.number ?? 0))?.comments.some((c) => c.body.startsWith(`Run \`${again.id}\` picked this group up again`))).toBe(true);

    // Names and places only: no value of the plugin's variables is in the tracker.
    const trackerDir = join(f.library.paths.state, 'tracker');
    const files = readdirSync(trackerDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((e) => readFileSync(join(e.parentPath, e.name), 'utf8').includes('eu-west-value-0123456789'))).toEqual([]);
  }, 60_000);
});

describe('a group whose error says the environment failed', () => {
  it('a connection refused in production: an environment issue before any reproduction, and no fixer is asked', async () => {
    const f = await fleet('orders', {
      manifest: manifestFor('orders', { env: [{ name: 'ORDERS_DB_ADDR', description: 'host:port of the orders database' }] }),
      files: {
        'src/index.js': [
          "import net from 'node:net';",
          'export default {',
          "  name: 'orders',",
          '  execute(input, ctx) {',
          "    const [host, port] = (ctx.env?.ORDERS_DB_ADDR ?? '127.0.0.1:1').split(':');",
          '    return new Promise((resolve, reject) => {',
          '      const socket = net.connect(Number(port), host);',
          "      socket.on('connect', () => socket.end(() => resolve({ text: input.text })));",
          "      socket.on('error', reject);",
          '    });',
          '  },',
          '};',
          '',
        ].join('\n'),
        'test/index.test.js': "import { test } from 'node:test';\ntest('loads', async () => { await import('../src/index.js'); });\n",
      },
    });
    // Production: the plugin host runs it, sandboxed, and its database is not there.
    const host = new PluginHost({ library: f.library, env: {} });
    host.load(['orders']);
    const called = await host.invoke('orders', { text: 'order 42' });
    await host.close();
    expect(called).toMatchObject({ ok: false, kind: 'plugin-error', error: { message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' } });
    let group = '';
    const events = readFileSync(join(f.library.paths.state, 'events.jsonl'), 'utf8').trim().split('\n');
    for (const [i, line] of events.entries()) group = (await f.ingest.process(JSON.parse(line), `orders-${i}`)).group ?? group;

    const state = await triageOnce(f.manager);
    expect(state.dispatched).toEqual([{ run: expect.any(String), group, plugin: 'orders' }]);
    const run = state.dispatched[0]?.run ?? '';
    expect(await executeRun({ run }, f.executor, new AbortController())).toBe('completed');

    expect(await f.nodes(run)).toEqual(['load-context', 'open-issue', 'escalate']);
    expect(f.fixer.calls).toEqual([]);
    const events_ = await f.manager.runs.events(run);
    expect(events_.filter((e) => e.kind === 'sandbox')).toEqual([]);
    expect(events_.find((e) => e.kind === 'escalated')?.data).toEqual({ kind: 'environment', why: 'the connection to `127.0.0.1:1` was refused (ECONNREFUSED)' });
    expect(await f.outcome(run)).toBe('environment: the connection to `127.0.0.1:1` was refused (ECONNREFUSED)');
    const [issue] = await Promise.all((await f.manager.tracker.listIssues()).map((i) => f.manager.tracker.getIssue(i.number)));
    expect(issue).toMatchObject({ fingerprint: group, labels: ['environment', 'plugin:orders', 'steward'] });
    expect(issue?.body).toContain('**The environment failed, not the code:** the connection to `127.0.0.1:1` was refused (ECONNREFUSED).');
    expect(issue?.body).toMatch(/- raised at `TCPConnectWrap\.afterConnect \[as oncomplete\] \(node:net:\d+\)`/);
    expect(issue?.body).toContain(
      "- where it is configured: the plugin's settings that may point at it: `ORDERS_DB_ADDR` (`$.env[0]` in `plugins/orders/plugin.json`); its value comes from the environment",
    );
    expect(issue?.body).toContain('- classified by the error code ECONNREFUSED');
    expect(issue?.body).toContain('No code change is expected');
    expect(issue?.body).toContain('"text": "order 42"');
    expect(issue?.comments.map((c) => c.body)).toEqual([
      '**Environment:** the connection to `127.0.0.1:1` was refused (ECONNREFUSED). No code change is expected: steward neither reproduces the error nor looks for a fix.',
    ]);
  }, 60_000);
});
