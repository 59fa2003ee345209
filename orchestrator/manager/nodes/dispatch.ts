import { createHash, randomBytes } from 'node:crypto';
import { loadPluginContext } from '../../library/context.ts';
import type { ManagerDeps } from '../deps.ts';
import type { Decision, ManagerState } from '../state.ts';

/** Sortable, unique run ids: time first, then randomness. */
export function newRunId(): string {
  return `run_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

/** The playbook a run follows, by name and content hash, so an eval can tell versions apart. */
function playbookOf(deps: ManagerDeps, plugin: string): { name: string; hash: string } {
  const { playbook } = loadPluginContext(deps.library, plugin);
  const name = /^name:\s*(\S+)/m.exec(playbook.text)?.[1] ?? playbook.file;
  return { name, hash: createHash('sha256').update(playbook.text).digest('hex').slice(0, 16) };
}

/**
 * One chosen group (reached through LangGraph's Send): a run record, queued, and a
 * job on the runs queue with the run id as job id, so a retried dispatch is one run.
 */
export function dispatch(deps: ManagerDeps) {
  return async (decision: Decision): Promise<Partial<ManagerState>> => {
    const id = newRunId();
    const playbook = playbookOf(deps, decision.plugin);
    deps.runs.create({
      id,
      plugin: decision.plugin,
      group: decision.group,
      trigger: decision.trigger as 'new' | 'regressed' | 'threshold',
      state: 'queued',
      playbook: playbook.name,
      playbookHash: playbook.hash,
      fixer: 'offline',
      model: null,
      stopAfter: decision.stopAfter,
      nextAction: 'waits for a worker (steward worker)',
    });
    await deps.runQueue.add('run', { run: id }, { jobId: id });
    await deps.groups.setStatus(decision.group, 'in-progress');
    return { dispatched: [{ run: id, group: decision.group, plugin: decision.plugin }] };
  };
}
