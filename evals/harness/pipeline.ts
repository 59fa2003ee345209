import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { fixersFor } from '../../agents/fixers/registry.ts';
import { pluginAgent } from '../../agents/plugin-agent/index.ts';
import { openTracker } from '../../agents/trackers/registry.ts';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { git } from '../../orchestrator/library/git/run.ts';
import { parseConfig } from '../../orchestrator/library/config.ts';
import { pluginPrefix, type Library } from '../../orchestrator/library/library.ts';
import { pluginEnv } from '../../orchestrator/library/plugin-env.ts';
import { createScratchLibrary, createUpstream } from '../../orchestrator/library/scratch.ts';
import { addPlugin } from '../../orchestrator/library/subtree/add.ts';
import { executeRuns, ingestQueued, triagePass } from '../../agents/pipeline.ts';
import { bringInMerged } from '../../orchestrator/library/merged-proposal.ts';
import { messageOf } from '../../orchestrator/core/errors.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { libraryRedis, stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { cancelRun } from '../../orchestrator/runs/control.ts';
import { openCheckpointer } from '../../orchestrator/runs/database.ts';
import { openRunControl } from '../../orchestrator/runs/open.ts';
import type { AgentDefinition } from '../../orchestrator/runs/agent.ts';
import type { PipelineOutcome, RunOutcome } from './outcome.ts';
import type { EvalTask } from './task.ts';

export interface PipelineOptions {
  fixer: 'offline' | 'llm' | 'hybrid';
  model: string | null;
  playbook?: { name: string; text: string };
  stewardRoot: string;
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
  /** The chat model of llm and hybrid, when the caller holds one (a scripted model in tests); else `model` by name. */
  chatModel?: () => Promise<BaseChatModel>;
}

/** How many error groups of one task get a run at most: one plugin's runs go one at a time, so each costs the task's time. */
export const MAX_GROUP_RUNS = 4;

const DEFAULT_MANAGER = parseConfig({}, 'steward.config.json').manager;

/** The scratch library of one attempt: the task's plugin added as a real subtree of its own upstream. */
async function prepareLibrary(task: EvalTask, dir: string, options: Pick<PipelineOptions, 'fixer' | 'model' | 'playbook' | 'stewardRoot'>): Promise<Library> {
  const upstream = join(dir, 'upstream', `${task.manifest.name}.git`);
  await createUpstream(task.pluginDir, upstream);
  const library = await createScratchLibrary(join(dir, 'library'), options.stewardRoot, {
    // Each of a task's error groups gets its proposal: the hourly and open-proposal limits would hold the third back.
    config: { fixer: options.fixer, model: options.model, manager: { ...DEFAULT_MANAGER, prHourlyLimit: 0, prConcurrentLimit: 0 } },
    ...(options.playbook ? { playbook: options.playbook } : {}),
  });
  await addPlugin(library, task.manifest.name, { from: upstream });
  return library;
}

/** Replays the task's events through capture, the errors queue and ingest: the path production events take. */
async function replay(task: EvalTask, library: Library, target: RedisTarget, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  const { secrets } = pluginEnv(task.manifest, env);
  const capture = new Capture(target);
  for (const event of task.spec.events) capture.capture(event, secrets);
  const stats = await capture.close(30_000);
  if (stats.sent !== task.spec.events.length) throw new Error(`capture queued ${stats.sent} of ${task.spec.events.length} events`);
  await ingestQueued(target, library, { env, log });
}

/** Triage once, as a scheduled job would: the run it dispatched, or why none (and whether a limit held a group back). */
async function triage(library: Library, target: RedisTarget, env: NodeJS.ProcessEnv): Promise<{ run: string } | { why: string; held: boolean }> {
  const state = await triagePass(target, library, { runTests: true, env });
  const [first] = state.dispatched;
  if (first) return { run: first.run };
  const plugin = state.plugins[0];
  const held = state.held[0];
  if (held) return { why: `held back: ${held.reason}`, held: true };
  return { why: `no run dispatched (plugin ${plugin?.health ?? 'unknown'}${plugin?.reason ? `: ${plugin.reason}` : ''})`, held: false };
}

/** The run's newest checkpoint of the root graph: what the agent knew when it stopped, read before the scratch library goes. */
async function finalState(library: Library, run: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown> | undefined> {
  const saver = openCheckpointer(library, env);
  try {
    const tuple = await saver.getTuple({ configurable: { thread_id: run, checkpoint_ns: '' } });
    return tuple ? { ...tuple.checkpoint.channel_values } : undefined;
  } finally {
    await saver.close();
  }
}

/** The fixes published, from `base` to `tip`, as one patch any git applies with -p1 inside the plugin. */
function patchBetween(library: Library, plugin: string, base: string, tip: string): Promise<string> {
  const prefix = `${pluginPrefix(library, plugin)}/`;
  // Whatever the user's diff settings; binary files and deletions included.
  return git(library.root, [
    '-c',
    'diff.noprefix=false',
    '-c',
    'diff.mnemonicPrefix=false',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--binary',
    '--full-index',
    '--no-renames',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    `--relative=${prefix}`,
    '--end-of-options',
    base,
    tip,
  ]);
}

/**
 * One task through the real pipeline, in its own scratch library with its own Redis:
 * events replayed, ingested and triaged into a Plugin Agent run, the proposal approved
 * (eval mode) and merged as its maintainer would, and triage run again for the task's
 * next error group, until none is left or a run publishes no fix (at most
 * MAX_GROUP_RUNS). The published fixes are read back as one diff.
 */
export async function runPipeline(task: EvalTask, dir: string, options: PipelineOptions): Promise<PipelineOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  // The plugin's own variables come from the task alone: a developer's shell must not turn a "missing secret" task into a present one.
  const declared = new Set(task.manifest.env.map((v) => v.name));
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !declared.has(name))), ...task.spec.env };
  const library = await prepareLibrary(task, dir, options);
  const target = await libraryRedis(library);
  const closers: (() => Promise<unknown>)[] = [() => stopRedis(library.paths.state)];
  const outcome: PipelineOutcome = { runs: [], issues: [], proposals: [], timedOut: false };
  try {
    await replay(task, library, target, env, options.log);
    const tracker = openTracker(library, { env });
    const base = (await git(library.root, ['rev-parse', 'HEAD'])).trim();
    const branch = (await git(library.root, ['symbolic-ref', '--short', 'HEAD'])).trim();
    // The newest state of the fixes: HEAD after each merge, or a published commit that could not be merged.
    let tip = base;
    let runner: Runner | undefined;
    for (;;) {
      const dispatched = await triage(library, target, env);
      if (!('run' in dispatched)) {
        // After a run, a group held back is a reason the rest got none; no group left is not.
        if (outcome.runs.length === 0) outcome.notDispatched = dispatched.why;
        else if (dispatched.held) outcome.stopped = dispatched.why;
        break;
      }
      runner ??= await startRunner(task, library, target, tracker, env, options, closers);
      const ran = await runOne(dispatched.run, runner, deadline, options);
      outcome.runs.push(ran.outcome);
      const published = ran.outcome.events.findLast((e) => e.kind === 'published')?.data as { branch?: string; commit?: string; proposal?: number } | undefined;
      let merged: boolean | undefined;
      if (published?.branch && published.commit && published.proposal !== undefined) {
        const brought = await bringInMerged(library, { number: published.proposal, branch: published.branch }, branch);
        merged = !('why' in brought);
        if ('why' in brought) options.log.warn({ task: task.spec.id, why: brought.why }, 'an eval fix could not be merged');
        tip = merged ? (await git(library.root, ['rev-parse', 'HEAD'])).trim() : published.commit;
      }
      // A run cut short by the time limit is a timeout only when no fix came before it: else the fixes made so far are scored.
      if (ran.timedOut && tip === base) outcome.timedOut = true;
      const why = stopAfter({
        runs: outcome.runs.length,
        state: ran.outcome.run.state,
        timedOut: ran.timedOut,
        published: published !== undefined,
        merged,
        remainingMs: deadline - Date.now(),
        timeoutMs: options.timeoutMs,
        aborted: options.signal?.aborted ?? false,
      });
      if (why) {
        outcome.stopped = why;
        break;
      }
    }
    for (const summary of await tracker.listIssues({ plugin: task.manifest.name })) {
      const issue = await tracker.getIssue(summary.number);
      if (issue) outcome.issues.push(issue);
    }
    outcome.proposals = await tracker.listProposals({ plugin: task.manifest.name });
    if (tip !== base) outcome.patch = await patchBetween(library, task.manifest.name, base, tip);
    return outcome;
  } finally {
    for (const close of closers) {
      await close().catch((error: unknown) => options.log.warn({ err: messageOf(error) }, 'closing an eval attempt'));
    }
  }
}

/**
 * Why the task's next error group gets no run after this one, or null when it does.
 * A group left to a person (no fix published) leaves the task unresolved whatever the
 * later runs do: their patches would only be partial. A new group needs a quarter of the
 * task's time limit left, or its run would be cut short.
 */
export function stopAfter(run: {
  runs: number;
  state: string;
  timedOut: boolean;
  published: boolean;
  merged: boolean | undefined;
  remainingMs: number;
  timeoutMs: number;
  aborted: boolean;
}): string | null {
  const group = `group ${run.runs}`;
  if (run.aborted) return 'the eval was stopped';
  if (run.timedOut) return `the time limit ended the run of ${group}`;
  if (run.state === 'failed') return `the run of ${group} failed`;
  if (!run.published) return `the run of ${group} published no fix`;
  if (run.merged === false) return `the fix of ${group} could not be merged`;
  if (run.runs >= MAX_GROUP_RUNS) return `${MAX_GROUP_RUNS} groups had a run, the most a task gets`;
  if (run.remainingMs < run.timeoutMs / 4) return `too little of the time limit was left for another group (${Math.max(0, Math.round(run.remainingMs / 1000))} s)`;
  return null;
}

interface Runner {
  library: Library;
  target: RedisTarget;
  env: NodeJS.ProcessEnv;
  agent: AgentDefinition;
  ctl: Awaited<ReturnType<typeof openRunControl>>;
}

/** The Plugin Agent of the task's runs, with the task's recorded successful calls in the traffic sample as the host's would be, and the run control that reads them back. */
async function startRunner(
  task: EvalTask,
  library: Library,
  target: RedisTarget,
  tracker: ReturnType<typeof openTracker>,
  env: NodeJS.ProcessEnv,
  options: PipelineOptions,
  closers: (() => Promise<unknown>)[],
): Promise<Runner> {
  const redis = connect(target, 'eval');
  closers.unshift(async () => redis.disconnect());
  const traffic = new TrafficStore(redis);
  for (const call of task.traffic) await traffic.record({ plugin: task.manifest.name, version: task.manifest.version, ...call });
  const agent = pluginAgent({
    groups: new GroupStore(redis),
    traffic,
    tracker,
    fixers: fixersFor(library.config, { env, ...(options.chatModel ? { model: options.chatModel } : {}) }),
    env,
  });
  const ctl = await openRunControl(library);
  closers.unshift(() => ctl.close());
  return { library, target, env, agent, ctl };
}

/** One dispatched run executed until it settles, approved at once (eval mode), and read back; cancelled when the deadline passes first. */
async function runOne(id: string, runner: Runner, deadline: number, options: PipelineOptions): Promise<{ outcome: RunOutcome; timedOut: boolean }> {
  const { library, target, env, agent, ctl } = runner;
  const executed = await executeRuns(target, library, [id], {
    agent,
    log: options.log,
    deadline,
    concurrency: 1,
    approveAs: 'steward-eval',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const timedOut = executed.unsettled.length > 0;
  if (timedOut) await cancelRun(ctl, id).catch((error: unknown) => options.log.warn({ err: messageOf(error), run: id }, 'cancelling a timed-out eval run'));
  const run = await ctl.store.get(id);
  if (!run) throw new Error(`run ${id} has no record`);
  const state = await finalState(library, id, env);
  return { outcome: { run, events: await ctl.store.events(id), ...(state ? { state } : {}) }, timedOut };
}
