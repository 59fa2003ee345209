import { isStewardError, StewardError } from '../../../orchestrator/core/errors.ts';
import { listPluginNames } from '../../../orchestrator/library/library.ts';
import { answerRun, resumeRun, type RunControl } from '../../../orchestrator/runs/control.ts';
import { parseDashboard } from '../dashboard.ts';
import type { ManagerDeps } from '../deps.ts';
import type { ManagerState } from '../state.ts';

/** Groups that still want attention; the rest are being handled or were closed. */
const OPEN = new Set(['new', 'triaged', 'regressed']);

/** Acts on the dashboard's ticked boxes: approve a proposal, retry a failed run, force a held group. */
async function actOnDashboard(deps: ManagerDeps): Promise<Pick<ManagerState, 'requests' | 'forced'>> {
  if (!deps.library.config.manager.dashboard) return { requests: [], forced: [] };
  const control: RunControl = { store: deps.runs, queue: deps.runQueue, redis: deps.redis };
  const requests: ManagerState['requests'] = [];
  const forced: string[] = [];
  for (const { action, run, interrupt } of parseDashboard((await deps.tracker.readDashboard()) ?? '')) {
    try {
      if (action === 'force') {
        const group = await deps.groups.get(run);
        if (!group || !OPEN.has(group.status)) throw new StewardError('E_RUN_STATE', `group ${run} is ${group?.status ?? 'gone'}; nothing to force`);
        forced.push(run);
        requests.push({ action, run, outcome: 'forced past the limits in this pass' });
        continue;
      }
      if (action === 'approve') await answerRun(control, run, { decision: 'approve', by: 'dashboard' }, interrupt);
      else await resumeRun(control, run, ['failed']);
      requests.push({ action, run, outcome: 'queued' });
    } catch (error) {
      // A box ticked twice, or for a run that moved on: say so, do not stop the pass.
      if (!isStewardError(error)) throw error;
      requests.push({ action, run, outcome: `ignored: ${error.message}` });
    }
  }
  return { requests, forced };
}

/** The dashboard's requests, the library's plugins, the open error groups and the runs in flight. */
export function loadFleet(deps: ManagerDeps) {
  return async (_state: ManagerState): Promise<Partial<ManagerState>> => {
    const { requests, forced } = await actOnDashboard(deps);
    const { config } = deps.library;
    const plugins = listPluginNames(deps.library).map((name) => ({
      name,
      criticality: config.plugins[name]?.criticality ?? 'normal',
      stopAfter: config.plugins[name]?.stopAfter ?? config.manager.stopAfter,
      health: 'healthy' as const,
    }));
    const groups = (await deps.groups.list())
      // A group whose run ended with a person (escalated, proposal rejected) is theirs now.
      .filter((g) => OPEN.has(g.status) && !(g.status === 'triaged' && g.needsHuman))
      .map((g) => ({
        id: g.id,
        plugin: g.plugin,
        status: g.status,
        count: g.count,
        level: g.level,
        firstSeen: g.firstSeen,
        lastSeen: g.lastSeen,
        type: g.type,
        message: g.message,
      }));
    const activeRuns = (await deps.runs.active()).map((r) => ({ id: r.id, plugin: r.plugin, group: r.group, state: r.state, stopAfter: r.stopAfter }));
    return { plugins, groups, activeRuns, requests, forced };
  };
}
