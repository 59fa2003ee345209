import type { ManagerDeps } from '../deps.ts';
import type { Decision, ManagerState } from '../state.ts';

const LEVEL: Record<string, number> = { fatal: 3, error: 2, warning: 1 };
const CRITICALITY: Record<string, number> = { low: 0.5, normal: 1, high: 2, critical: 4 };

/**
 * Ranks open groups: frequency (log of the count), recency (a day halves it),
 * regression, level, and the plugin's criticality from the config.
 */
export function prioritise(_deps: ManagerDeps) {
  return (state: ManagerState): Partial<ManagerState> => {
    const now = Date.parse(state.now);
    const plugins = new Map(state.plugins.map((p) => [p.name, p]));
    const ranked: Decision[] = state.groups
      .filter((g) => plugins.has(g.plugin))
      .map((g) => {
        const plugin = plugins.get(g.plugin);
        const hours = Math.max(0, (now - Date.parse(g.lastSeen)) / 3_600_000);
        const score =
          (LEVEL[g.level] ?? 2) * (1 + Math.log10(Math.max(1, g.count))) * (1 / (1 + hours / 24)) * (CRITICALITY[plugin?.criticality ?? 'normal'] ?? 1) +
          (g.status === 'regressed' ? 5 : 0);
        return {
          group: g.id,
          plugin: g.plugin,
          score: Math.round(score * 1000) / 1000,
          stopAfter: plugin?.stopAfter ?? 'propose',
          trigger: g.status === 'regressed' ? 'regressed' : g.status === 'new' ? 'new' : 'threshold',
        };
      })
      .sort((a, b) => b.score - a.score || a.group.localeCompare(b.group));
    return { ranked };
  };
}
