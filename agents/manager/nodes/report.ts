import { parseDashboard, renderDashboard } from '../dashboard.ts';
import { lastWaiting } from '../../../orchestrator/runs/waiting.ts';
import type { ManagerDeps } from '../deps.ts';
import type { ManagerState } from '../state.ts';
import { writeFleetSummary } from '../summary.ts';

/**
 * The fleet summary `steward status` shows and the maintenance dashboard, kept in the
 * state dir; held-back new groups become triaged.
 */
export function report(deps: ManagerDeps) {
  return async (state: ManagerState): Promise<Partial<ManagerState>> => {
    const byHealth: Record<string, number> = {};
    for (const plugin of state.plugins) byHealth[plugin.health] = (byHealth[plugin.health] ?? 0) + 1;
    const statuses = new Map(state.groups.map((g) => [g.id, g.status]));
    for (const item of state.held) {
      if (statuses.get(item.group) === 'new') await deps.groups.transition(item.group, 'triaged');
    }
    const unhealthy = state.plugins.filter((p) => p.health !== 'healthy' && p.health !== 'degraded').map((p) => ({ name: p.name, health: p.health, reason: p.reason ?? null }));
    const summary = {
      at: state.now,
      trigger: state.trigger,
      plugins: state.plugins.length,
      health: byHealth,
      unhealthy,
      openGroups: state.groups.length,
      activeRuns: state.activeRuns.length,
      dispatched: state.dispatched,
      held: state.held,
      requests: state.requests,
    };
    writeFleetSummary(deps.library, summary);
    if (deps.library.config.manager.dashboard) {
      // Boxes ticked while this pass ran were not acted on: they stay ticked for the next one.
      const acted = new Set(state.requests.map((r) => `${r.action}:${r.run}`));
      const ticked = new Set(
        parseDashboard((await deps.tracker.readDashboard()) ?? '')
          .map((r) => `${r.action}:${r.run}`)
          .filter((key) => !acted.has(key)),
      );
      const body = renderDashboard({
        at: state.now,
        trigger: state.trigger,
        awaiting: await Promise.all(
          (await deps.runs.list({ state: 'awaiting_approval', limit: 200 })).map(async (run) => ({
            ...run,
            interrupt: (await lastWaiting(deps.runs, run.id))?.interrupt ?? undefined,
          })),
        ),
        failed: await deps.runs.list({ state: 'failed', limit: 200 }),
        held: state.held,
        proposals: await deps.tracker.listProposals({ state: 'open' }),
        needsHuman: (await deps.tracker.listIssues({ state: 'open' })).filter((i) => i.labels.includes('needs-human')),
        unhealthy: unhealthy.map((p) => ({ name: p.name, health: p.health, reason: p.reason ?? undefined })),
        ticked,
      });
      await deps.tracker.writeDashboard(body);
    }
    return { summary };
  };
}
