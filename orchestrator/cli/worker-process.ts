import type { Logger } from '../core/logger.ts';
import { workerId } from '../core/worker-id.ts';
import { openQueue, QUEUES } from '../ingest/queues.ts';
import { startIngestConsumer } from '../ingest/ingest-consumer.ts';
import type { Library } from '../library/library.ts';
import { ensureTriageSchedule, startTriageConsumer } from '../../agents/manager/index.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import type { AgentDefinition } from '../runs/agent.ts';
import { startRunExecutor } from '../runs/run-executor.ts';
import type { RunStateChange } from '../runs/execute-run.ts';
import { sweepOrphanedCopies } from '../sandbox/disk-quota.ts';

export interface WorkerOptions {
  ingest: boolean;
  triage: boolean;
  /** Runs are consumed only with an agent to execute them. */
  agent?: AgentDefinition;
  schedule: boolean;
  /** Triage refreshes plugin health by running their test suites. */
  runTests: boolean;
  ingestConcurrency?: number;
  runConcurrency?: number;
  log: Logger;
  /** Told each state a run takes on this worker. */
  onRunState?: (change: RunStateChange) => void;
}

export interface RunningWorker {
  owner: string;
  /** One line per queue: what this worker does with it. */
  lines: string[];
  close(): Promise<void>;
}

/** The `steward worker` process: the ingest consumer, the triage consumer and the run executor, each as configured. */
export async function startWorker(target: RedisTarget, library: Library, options: WorkerOptions): Promise<RunningWorker> {
  const owner = workerId();
  const { workers, manager } = library.config;
  const closers: (() => Promise<void>)[] = [];
  const lines: string[] = [];
  // A worker killed with -9 left its sandboxes' working copies behind.
  const swept = sweepOrphanedCopies();
  if (swept.length > 0) {
    options.log.info({ removed: swept.length }, 'removed working copies of dead processes');
    lines.push(`sandbox: removed ${swept.length} working cop${swept.length === 1 ? 'y' : 'ies'} a dead process left`);
  }
  try {
    if (options.ingest) {
      const concurrency = options.ingestConcurrency ?? workers.ingestConcurrency;
      const ingest = startIngestConsumer(target, library, { concurrency, log: options.log.child({ queue: 'errors' }) });
      closers.push(() => ingest.close());
      lines.push(`errors: ingest, ${concurrency} at once`);
    }
    if (options.triage) {
      const triage = await startTriageConsumer(target, library, { owner, log: options.log.child({ queue: 'triage' }), runTests: options.runTests });
      closers.push(() => triage.close());
      lines.push(`triage: one pass at a time across workers${options.runTests ? '' : ', no test runs'}`);
    }
    if (options.schedule) {
      const redis = connect(target, 'scheduler');
      const queue = openQueue(QUEUES.triage, redis);
      try {
        const { retention } = library.config;
        const sync = library.config.tracker === 'github' ? (library.config.github?.syncSchedule ?? 'off') : 'off';
        const done = await ensureTriageSchedule(queue, redis, manager.schedule, owner, retention.schedule, sync);
        // What this worker did with each scheduler: the election is one for all three.
        const line = (what: string, cron: string) =>
          `schedule: ${what} ${cron === 'off' ? 'off' : `at "${cron}"`} (${done === 'left-to-another' ? done : cron === 'off' ? 'removed' : 'upserted'})`;
        lines.push(line('triage', manager.schedule), line('prune', retention.schedule));
        if (library.config.tracker === 'github') lines.push(line('review sync with GitHub', sync));
      } finally {
        await queue.close();
        redis.disconnect();
      }
    }
    if (options.agent) {
      const runs = await startRunExecutor(target, library, {
        agent: options.agent,
        log: options.log.child({ queue: 'runs' }),
        ...(options.runConcurrency ? { concurrency: options.runConcurrency } : {}),
        ...(options.onRunState ? { onState: options.onRunState } : {}),
      });
      closers.push(() => runs.close());
      lines.push(
        `runs: agent "${options.agent.name}", ${options.runConcurrency ?? workers.runConcurrency} at once; recovered ${runs.recovered.resumed.length} dead and ${runs.recovered.requeued.length} lost run(s)`,
      );
    } else {
      lines.push('runs: not consumed here: no agent was given to this worker, so dispatched runs wait for one that has it');
    }
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
  return {
    owner,
    lines,
    async close() {
      // Runs first: their graphs stop and checkpoint while ingest and triage still work.
      for (const close of closers.reverse()) await close();
    },
  };
}
