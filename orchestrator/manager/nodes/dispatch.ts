import { createHash } from 'node:crypto';
import { readPlaybook } from '../../library/context.ts';
import { enqueueRun } from '../../runs/control.ts';
import { newRunId } from '../../runs/ids.ts';
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

/**
 * One chosen group (reached through LangGraph's Send): a run record, queued, and a
 * job on the runs queue with the run id as job id, so a retried dispatch is one run.
 */
export function dispatch(deps: ManagerDeps) {
  const playbookOf = playbookReader(deps);
  return async (decision: Decision): Promise<Partial<ManagerState>> => {
    const id = newRunId();
    const playbook = playbookOf(decision.plugin);
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
    await enqueueRun(deps.runQueue, id, undefined, true);
    await deps.groups.setStatus(decision.group, 'in-progress');
    return { dispatched: [{ run: id, group: decision.group, plugin: decision.plugin }] };
  };
}
