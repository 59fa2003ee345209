import { listPluginNames } from '../../library/library.ts';
import type { ManagerDeps } from '../deps.ts';
import type { ManagerState } from '../state.ts';

/** Groups that still want attention; the rest are being handled or were closed. */
const OPEN = new Set(['new', 'triaged', 'regressed']);

/** The library's plugins, the open error groups and the runs in flight. */
export function loadFleet(deps: ManagerDeps) {
  return async (_state: ManagerState): Promise<Partial<ManagerState>> => {
    const { config } = deps.library;
    const plugins = listPluginNames(deps.library).map((name) => ({
      name,
      criticality: config.plugins[name]?.criticality ?? 'normal',
      stopAfter: config.plugins[name]?.stopAfter ?? config.manager.stopAfter,
      health: 'healthy' as const,
    }));
    const groups = (await deps.groups.list())
      .filter((g) => OPEN.has(g.status))
      .map((g) => ({ id: g.id, plugin: g.plugin, status: g.status, count: g.count, level: g.level, firstSeen: g.firstSeen, lastSeen: g.lastSeen, type: g.type, message: g.message }));
    const activeRuns = deps.runs.active().map((r) => ({ id: r.id, plugin: r.plugin, group: r.group, state: r.state }));
    return { plugins, groups, activeRuns };
  };
}
