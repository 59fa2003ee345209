import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeModel } from '@langchain/core/testing';
import { pluginAgent } from '../../agents/plugin-agent/agent.ts';
import type { Fixer } from '../../agents/fixers/types.ts';
import { LocalTracker } from '../../agents/trackers/local/index.ts';
import type { Tracker } from '../../agents/trackers/types.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openQueue, QUEUES, type DeadLetter, type TriageJob } from '../../orchestrator/ingest/queues.ts';
import { Ingest } from '../../orchestrator/ingest/ingest-consumer.ts';
import { linkTemplates } from '../../orchestrator/library/links.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { answerRun } from '../../orchestrator/runs/control.ts';
import { openCheckpointer, openRunStore } from '../../orchestrator/runs/database.ts';
import { executeRun, type ExecutorDeps, type RunJob } from '../../orchestrator/runs/execute-run.ts';
import { newRunId } from '../../orchestrator/runs/ids.ts';
import type { RunRecord } from '../../orchestrator/runs/types.ts';
import { RUNS_QUEUE } from '../../orchestrator/runs/run-executor.ts';
import { makeLibrary, sh, STEWARD_ROOT } from './git.ts';
import { startTestRedis } from './redis.ts';
import { quietLog } from '../runs/fixture.ts';

/** What each test file of the Plugin Agent releases after each test. */
export type Cleanups = (() => Promise<unknown> | unknown)[];

export interface Defect {
  trigger: { input: unknown };
  healthyInput?: unknown;
  expectedError: { type: string; messageIncludes: string };
  location: { file: string; line: number };
}

/** An example plugin in a fresh library, called through the real host with `inputs`, its failures ingested into groups. */
export async function agentSetup(
  cleanups: Cleanups,
  name: string,
  inputs: (defect: Defect) => unknown[],
  stopAfter: RunRecord['stopAfter'] = 'propose',
  fixers: Fixer[] = [],
  trackerFor: (library: Library) => Tracker = (library) => new LocalTracker(join(library.paths.state, 'tracker')),
  env: NodeJS.ProcessEnv = process.env,
  from: string = join(STEWARD_ROOT, 'plugins', name),
) {
  const library: Library = await makeLibrary();
  cpSync(from, join(library.paths.plugins, name), { recursive: true, verbatimSymlinks: true });
  linkTemplates(library);
  sh(library.root, 'add', '-A');
  sh(library.root, 'commit', '-q', '-m', name);
  const recorded = join(STEWARD_ROOT, 'orchestrator/cli/demo-defects', `${name}.json`);
  const defect = (existsSync(recorded) ? JSON.parse(readFileSync(recorded, 'utf8')) : {}) as Defect;
  const host = new PluginHost({ library });
  host.load([name]);
  for (const input of inputs(defect)) await host.invoke(name, input);
  await host.close();

  const { target } = await startTestRedis(library.paths.state);
  const redis = connect(target, 'test-agent');
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  const triage = openQueue<TriageJob>(QUEUES.triage, redis);
  const queue = openQueue<RunJob>(RUNS_QUEUE, redis);
  const store = openRunStore(library);
  const saver = openCheckpointer(library);
  cleanups.push(async () => {
    await Promise.all([dead.close(), triage.close(), queue.close()]);
    redis.disconnect();
    await store.close();
    await saver.close();
  });
  const ingest = new Ingest({ library, redis, dead, triage });
  let group = '';
  const events = readFileSync(join(library.paths.state, 'events.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
  for (const [i, line] of events.entries()) group = (await ingest.process(JSON.parse(line), `ev-${i}`)).group ?? group;
  const tracker = trackerFor(library);
  const agent = pluginAgent({ groups: new GroupStore(redis), tracker, fixers, env });
  const deps: ExecutorDeps = { library, store, redis, agent, checkpointer: saver, owner: 'test', lockMs: 30_000, maxResumes: 1, log: quietLog };
  const dispatch = (): Promise<RunRecord> =>
    store.create({ id: newRunId(), plugin: name, group, trigger: 'new', state: 'queued', playbook: 'default', playbookHash: 'h', fixer: 'offline', model: null, stopAfter });
  return { library, target, defect, group, tracker, store, saver, deps, dispatch, control: { store, queue, redis } };
}

export type AgentSetup = Awaited<ReturnType<typeof agentSetup>>;

/** The csv-import fix a model would make, as tool calls: read, edit, check, finish. */
export function scriptedModel(edit: { oldText: string; newText: string }, path = 'src/records.js') {
  return fakeModel()
    .respondWithTools([{ name: 'read_file', args: { path, startLine: 45, endLine: 56 } }])
    .respondWithTools([{ name: 'edit_file', args: { path, ...edit } }])
    .respondWithTools([{ name: 'run_reproduction', args: {} }])
    .respondWithTools([
      { name: 'finish', args: { rationale: `${path}:52 read a missing trailing field as undefined and called .trim() on it; a missing field is now an empty string.` } },
    ]);
}

export async function answer(s: AgentSetup, run: string, decision: 'approve' | 'reject', reason?: string): Promise<string> {
  await answerRun(s.control, run, { decision, by: 'maintainer', ...(reason ? { reason } : {}) });
  const job = (await s.control.queue.getJobs(['waiting'])).filter((j) => j.data.run === run).at(-1);
  return executeRun(job?.data ?? { run }, s.deps, new AbortController());
}
