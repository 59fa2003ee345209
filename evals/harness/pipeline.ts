import { join } from 'node:path';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { fixersFor } from '../../agents/fixers/registry.ts';
import { pluginAgent } from '../../agents/plugin-agent/index.ts';
import { openTracker } from '../../agents/trackers/registry.ts';
import type { TrackedIssue, TrackedProposal } from '../../agents/trackers/types.ts';
import type { Logger } from '../../orchestrator/core/logger.ts';
import { Capture } from '../../orchestrator/ingest/capture.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { git } from '../../orchestrator/library/git/run.ts';
import { pluginPrefix, type Library } from '../../orchestrator/library/library.ts';
import { pluginEnv } from '../../orchestrator/library/plugin-env.ts';
import { createScratchLibrary, createUpstream } from '../../orchestrator/library/scratch.ts';
import { addPlugin } from '../../orchestrator/library/subtree/add.ts';
import { executeRuns, ingestQueued, triagePass } from '../../agents/pipeline.ts';
import { messageOf } from '../../orchestrator/core/errors.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { libraryRedis, stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { cancelRun } from '../../orchestrator/runs/control.ts';
import { openCheckpointer } from '../../orchestrator/runs/database.ts';
import { openRunControl } from '../../orchestrator/runs/open.ts';
import type { RunEvent, RunRecord } from '../../orchestrator/runs/types.ts';
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

/** What the real pipeline left behind for one task: what scoring reads. */
export interface PipelineOutcome {
  /** Why no run was dispatched (a held group, an unhealthy plugin), when none was. */
  notDispatched?: string;
  run?: RunRecord;
  events: RunEvent[];
  /** The Plugin Agent's state at the run's last checkpoint (its graph's channels), when the run got that far. */
  state?: Record<string, unknown>;
  issues: TrackedIssue[];
  proposals: TrackedProposal[];
  /** The published fix as a unified diff relative to the plugin root. */
  patch?: string;
  timedOut: boolean;
}

/** The scratch library of one attempt: the task's plugin added as a real subtree of its own upstream. */
async function prepareLibrary(task: EvalTask, dir: string, options: Pick<PipelineOptions, 'fixer' | 'model' | 'playbook' | 'stewardRoot'>): Promise<Library> {
  const upstream = join(dir, 'upstream', `${task.manifest.name}.git`);
  await createUpstream(task.pluginDir, upstream);
  const library = await createScratchLibrary(join(dir, 'library'), options.stewardRoot, {
    config: { fixer: options.fixer, model: options.model },
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

/** Triage once, as a scheduled job would: which run, if any, it dispatched, or why none. */
async function triage(library: Library, target: RedisTarget, env: NodeJS.ProcessEnv): Promise<{ run?: string; why?: string }> {
  const state = await triagePass(target, library, { runTests: true, env });
  const [first] = state.dispatched;
  if (first) return { run: first.run };
  const plugin = state.plugins[0];
  const held = state.held[0];
  return { why: held ? `held back: ${held.reason}` : `no run dispatched (plugin ${plugin?.health ?? 'unknown'}${plugin?.reason ? `: ${plugin.reason}` : ''})` };
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

/**
 * One task through the real pipeline, in its own scratch library with its own Redis:
 * events replayed, ingested and triaged into a Plugin Agent run, the proposal approved
 * (eval mode), and the published fix read back as a diff.
 */
export async function runPipeline(task: EvalTask, dir: string, options: PipelineOptions): Promise<PipelineOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  // The plugin's own variables come from the task alone: a developer's shell must not turn a "missing secret" task into a present one.
  const declared = new Set(task.manifest.env.map((v) => v.name));
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !declared.has(name))), ...task.spec.env };
  const library = await prepareLibrary(task, dir, options);
  const target = await libraryRedis(library);
  const closers: (() => Promise<unknown>)[] = [() => stopRedis(library.paths.state)];
  const outcome: PipelineOutcome = { events: [], issues: [], proposals: [], timedOut: false };
  try {
    await replay(task, library, target, env, options.log);
    const dispatched = await triage(library, target, env);
    const tracker = openTracker(library, { env });
    if (!dispatched.run) {
      outcome.notDispatched = dispatched.why ?? 'no run dispatched';
    } else {
      const redis = connect(target, 'eval');
      closers.unshift(async () => redis.disconnect());
      // The task's recorded successful calls reach the agent as the host's would: through the traffic sample.
      const traffic = new TrafficStore(redis);
      for (const call of task.traffic) await traffic.record({ plugin: task.manifest.name, version: task.manifest.version, ...call });
      const agent = pluginAgent({
        groups: new GroupStore(redis),
        traffic,
        tracker,
        fixers: fixersFor(library.config, { env, ...(options.chatModel ? { model: options.chatModel } : {}) }),
        env,
      });
      const id = dispatched.run;
      // Eval mode: the maintainer's approval is given at once, so publish runs as it would after a review.
      const executed = await executeRuns(target, library, [id], {
        agent,
        log: options.log,
        deadline,
        concurrency: 1,
        approveAs: 'steward-eval',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const ctl = await openRunControl(library);
      closers.unshift(() => ctl.close());
      if (executed.unsettled.length > 0) {
        outcome.timedOut = true;
        await cancelRun(ctl, id).catch((error: unknown) => options.log.warn({ err: messageOf(error), run: id }, 'cancelling a timed-out eval run'));
      }
      outcome.run = await ctl.store.get(id);
      outcome.events = await ctl.store.events(id);
      outcome.state = await finalState(library, id, env);
    }
    for (const summary of await tracker.listIssues({ plugin: task.manifest.name })) {
      const issue = await tracker.getIssue(summary.number);
      if (issue) outcome.issues.push(issue);
    }
    outcome.proposals = await tracker.listProposals({ plugin: task.manifest.name });
    const published = outcome.events.findLast((e) => e.kind === 'published')?.data as { commit?: string } | undefined;
    if (published?.commit) {
      const prefix = `${pluginPrefix(library, task.manifest.name)}/`;
      // A patch any git applies with -p1, whatever the user's diff settings; binary files and deletions included.
      outcome.patch = await git(library.root, [
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
        `${published.commit}^`,
        published.commit,
      ]);
    }
    return outcome;
  } finally {
    for (const close of closers) {
      await close().catch((error: unknown) => options.log.warn({ err: messageOf(error) }, 'closing an eval attempt'));
    }
  }
}
