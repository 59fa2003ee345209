import { createHash } from 'node:crypto';
import { readPlaybook } from '../../../orchestrator/library/context.ts';
import { enqueueNewRuns } from '../../../orchestrator/runs/control.ts';
import { newRunId } from '../../../orchestrator/runs/ids.ts';
import type { ManagerDeps } from '../deps.ts';
import type { Decision, ManagerState } from '../state.ts';

/**
 * The playbook a run follows, by name and content hash, so an eval can tell versions
 * apart. Most plugins share one playbook: each file is read and hashed once a pass.
 */
function playbookReader(deps: ManagerDeps): (plugin: string) => { name: string; hash: string } {
  const byFile = new Map<string, { name: string; hash: string }>();
  return (plugin) => {
    const { text, file } = readPlaybook(deps.library, plugin);
    const key = `${file}\0${text.length}`;
    let found = byFile.get(key);
    if (!found) {
      found = { name: /^name:\s*(\S+)/m.exec(text)?.[1] ?? file, hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
      byFile.set(key, found);
    }
    return found;
  };
}

/** How many decisions one Send carries: LangGraph's per-task cost would dominate a pass of single runs. */
export const DISPATCH_BATCH = 50;
export const DISPATCH_TASKS = 8;

/**
 * A batch of chosen groups (reached through LangGraph's Send): a queued run record
 * each, written in one transaction, and a job each on the runs queue with the run id
 * as job id, so a retried dispatch is still one run per record.
 */
export function dispatch(deps: ManagerDeps) {
  const playbookOf = playbookReader(deps);
  return async ({ batch }: { batch: Decision[] }): Promise<Partial<ManagerState>> => {
    const runs = batch.map((decision) => {
      const playbook = playbookOf(decision.plugin);
      return {
        id: newRunId(),
        plugin: decision.plugin,
        group: decision.group,
        trigger: decision.trigger as 'new' | 'regressed' | 'threshold',
        state: 'queued' as const,
        playbook: playbook.name,
        playbookHash: playbook.hash,
        fixer: deps.library.config.fixer,
        model: deps.library.config.fixer === 'offline' || deps.library.config.fixer === 'command' ? null : deps.library.config.model,
        stopAfter: decision.stopAfter,
        nextAction: 'waits for a worker (steward worker, or steward start)',
      };
    });
    await deps.runs.createMany(runs);
    await enqueueNewRuns(
      deps.runQueue,
      runs.map((r) => r.id),
    );
    await Promise.all(runs.map((r) => deps.groups.transition(r.group, 'in-progress')));
    return { dispatched: runs.map((r, i) => ({ run: r.id, group: r.group, plugin: r.plugin, ...(batch[i]?.issueOnly ? { issueOnly: batch[i].issueOnly } : {}) })) };
  };
}
