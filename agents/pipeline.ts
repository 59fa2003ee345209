import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../orchestrator/core/logger.ts';
import type { Group } from '../orchestrator/ingest/groups.ts';
import { startIngestConsumer } from '../orchestrator/ingest/ingest-consumer.ts';
import { waitForDrain } from '../orchestrator/ingest/runtime.ts';
import type { Library } from '../orchestrator/library/library.ts';
import { defaultRequirementContext } from '../orchestrator/library/requires.ts';
import type { RedisTarget } from '../orchestrator/redis/server.ts';
import type { AgentDefinition } from '../orchestrator/runs/agent.ts';
import { answerRun } from '../orchestrator/runs/control.ts';
import { openRunControl } from '../orchestrator/runs/open.ts';
import { startRunExecutor } from '../orchestrator/runs/run-executor.ts';
import type { RunRecord } from '../orchestrator/runs/types.ts';
import { openManager, triageOnce, type ManagerState } from './manager/index.ts';

/**
 * What production does across processes and queues (the errors queue, the ingest
 * consumer, triage, the run executor), run in this process one step after the other:
 * the demo, the eval harness and end-to-end tests go through the same steps.
 */

/** Ingests what the errors queue holds, as a consumer would, and returns the groups. */
export async function ingestQueued(target: RedisTarget, library: Library, options: { env?: NodeJS.ProcessEnv; log?: Logger; timeoutMs?: number } = {}): Promise<Group[]> {
  const consumer = startIngestConsumer(target, library, { ...(options.env ? { env: options.env } : {}), ...(options.log ? { log: options.log } : {}) });
  try {
    if (!(await waitForDrain(target, options.timeoutMs ?? 60_000)))
      throw new Error(`ingest did not drain the errors queue in ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`);
    return await consumer.ingest.groups.list();
  } finally {
    await consumer.close();
  }
}

/** One triage pass, as the scheduler's would be; `env` is where requirements are looked up. */
export async function triagePass(target: RedisTarget, library: Library, options: { runTests: boolean; env?: NodeJS.ProcessEnv }): Promise<ManagerState> {
  const manager = await openManager(library, { runTests: options.runTests, target });
  try {
    return await triageOnce({ ...manager, ...(options.env ? { requirements: { ...defaultRequirementContext(), env: options.env } } : {}) }, 'manual');
  } finally {
    await manager.close();
  }
}

const SETTLED = new Set(['awaiting_approval', 'completed', 'failed', 'cancelled', 'paused']);

export interface ExecuteOptions {
  agent: AgentDefinition;
  log: Logger;
  /** When the runs must have settled by (ms since the epoch). */
  deadline: number;
  signal?: AbortSignal;
  concurrency?: number;
  /** Who approves a proposal at once (eval mode); without it a run stops at its review. */
  approveAs?: string;
  onProgress?: (settled: number, total: number) => void;
}

/**
 * Executes queued runs with a run executor until each has settled (awaiting approval,
 * completed, failed), approving proposals at once when `approveAs` says who does.
 * Returns the runs as they ended and those that did not settle in time.
 */
export async function executeRuns(target: RedisTarget, library: Library, runs: readonly string[], options: ExecuteOptions): Promise<{ runs: RunRecord[]; unsettled: string[] }> {
  const executor = await startRunExecutor(target, library, { agent: options.agent, log: options.log, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
  const ctl = await openRunControl(library);
  const approved = new Set<string>();
  try {
    for (;;) {
      const records = await Promise.all(runs.map(async (id) => ctl.store.get(id)));
      let settled = 0;
      for (const record of records) {
        if (!record || !SETTLED.has(record.state)) continue;
        if (record.state === 'awaiting_approval' && options.approveAs) {
          // Not settled until the approval has been carried out (published, or failed trying).
          if (!approved.has(record.id)) await answerRun(ctl, record.id, { decision: 'approve', by: options.approveAs });
          approved.add(record.id);
          continue;
        }
        settled++;
      }
      options.onProgress?.(settled, runs.length);
      if (settled === runs.length || Date.now() > options.deadline || options.signal?.aborted) {
        const final = (await Promise.all(runs.map(async (id) => ctl.store.get(id)))).filter((r): r is RunRecord => r !== undefined);
        return { runs: final, unsettled: final.filter((r) => !SETTLED.has(r.state) || (options.approveAs !== undefined && r.state === 'awaiting_approval')).map((r) => r.id) };
      }
      await sleep(200);
    }
  } finally {
    await ctl.close();
    await executor.close();
  }
}
