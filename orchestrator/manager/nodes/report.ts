import { join } from 'node:path';
import { writeJsonAtomic } from '../../core/files.ts';
import type { ManagerDeps } from '../deps.ts';
import type { ManagerState } from '../state.ts';

/** The fleet summary `steward status` shows, kept in the state dir; held-back new groups become triaged. */
export function report(deps: ManagerDeps) {
  return async (state: ManagerState): Promise<Partial<ManagerState>> => {
    const byHealth: Record<string, number> = {};
    for (const plugin of state.plugins) byHealth[plugin.health] = (byHealth[plugin.health] ?? 0) + 1;
    const statuses = new Map(state.groups.map((g) => [g.id, g.status]));
    for (const item of state.held) {
      if (statuses.get(item.group) === 'new') await deps.groups.setStatus(item.group, 'triaged');
    }
    const summary = {
      at: state.now,
      trigger: state.trigger,
      plugins: state.plugins.length,
      health: byHealth,
      unhealthy: state.plugins.filter((p) => p.health !== 'healthy' && p.health !== 'degraded').map((p) => ({ name: p.name, health: p.health, reason: p.reason ?? null })),
      openGroups: state.groups.length,
      activeRuns: state.activeRuns.length,
      dispatched: state.dispatched,
      held: state.held,
    };
    writeJsonAtomic(join(deps.library.paths.state, 'status.json'), summary);
    return { summary };
  };
}
