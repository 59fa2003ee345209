import type { ManagerDeps } from '../deps.ts';
import type { Decision, ManagerState } from '../state.ts';

/**
 * The limits a maintainer sets: one active run per plugin; at most
 * `prConcurrentLimit` open proposals and `prHourlyLimit` new ones an hour (runs that
 * may go as far as a proposal count); a daily token budget. What a limit holds back
 * is recorded with its reason, never dropped: it is ranked again next time. The
 * dashboard's force box lets one group past the proposal and token limits, not past
 * one run per plugin.
 *
 * A group of an unavailable plugin is not held back for it: it gets a run that opens
 * its issue, labelled needs-human with the reason, and stops there (`issueOnly`,
 * stopAfter `issue`). Such a run spends no tokens and proposes nothing, so only the
 * one-run-per-plugin limit applies to it. A failed plugin (a bad manifest, no agent
 * context) is held back: its agent could not even start.
 */
export function applyLimits(deps: ManagerDeps) {
  return async (state: ManagerState): Promise<Partial<ManagerState>> => {
    const limits = deps.library.config.manager;
    const now = Date.parse(state.now);
    const busy = new Map(state.activeRuns.map((r) => [r.plugin, r.id]));
    const plugins = new Map(state.plugins.map((p) => [p.name, p]));
    const proposals = await deps.runs.proposals(new Date(now - 3_600_000).toISOString());
    // A run that may propose counts against the proposal limits from the moment it starts;
    // one that stops earlier counts once it is paused, since a person may let it go on.
    const mayPropose = state.activeRuns.filter((r) => r.state !== 'awaiting_approval' && (r.stopAfter === 'propose' || r.state === 'paused')).length;
    let open = proposals.open + mayPropose;
    let lastHour = proposals.sinceCount;
    let tokens = await deps.runs.tokensSince(new Date(now - 86_400_000).toISOString());
    const chosen: Decision[] = [];
    const held: ManagerState['held'] = [];
    const forced = new Set(state.forced);
    for (const candidate of state.ranked) {
      const plugin = plugins.get(candidate.plugin);
      const hold = (reason: string): void => {
        held.push({ group: candidate.group, plugin: candidate.plugin, reason });
      };
      if (plugin?.health === 'failed') {
        hold(`plugin is ${plugin.health}: ${plugin.reason ?? ''}`.trim());
        continue;
      }
      const running = busy.get(candidate.plugin);
      if (running) {
        hold(`one active run per plugin: ${running} is still open`);
        continue;
      }
      if (plugin?.health === 'unavailable') {
        busy.set(candidate.plugin, 'this triage');
        chosen.push({ ...candidate, stopAfter: 'issue', issueOnly: `plugin is unavailable: ${plugin.reason ?? ''}`.trim() });
        continue;
      }
      // A group a maintainer forced skips the limits below (it still counts against them).
      if (forced.has(candidate.group)) {
        if (candidate.stopAfter === 'propose') {
          open++;
          lastHour++;
        }
        tokens += limits.tokenBudget.perRun;
        busy.set(candidate.plugin, 'this triage');
        chosen.push(candidate);
        continue;
      }
      if (limits.tokenBudget.daily > 0 && tokens + limits.tokenBudget.perRun > limits.tokenBudget.daily) {
        hold(`daily token budget: ${tokens} of ${limits.tokenBudget.daily} used, a run may take ${limits.tokenBudget.perRun}`);
        continue;
      }
      if (candidate.stopAfter === 'propose') {
        if (limits.prConcurrentLimit > 0 && open >= limits.prConcurrentLimit) {
          hold(`prConcurrentLimit ${limits.prConcurrentLimit} reached (${open} open or in progress)`);
          continue;
        }
        if (limits.prHourlyLimit > 0 && lastHour >= limits.prHourlyLimit) {
          hold(`prHourlyLimit ${limits.prHourlyLimit} reached in the last hour`);
          continue;
        }
        open++;
        lastHour++;
      }
      tokens += limits.tokenBudget.perRun;
      busy.set(candidate.plugin, 'this triage');
      chosen.push(candidate);
    }
    await deps.runs.recordHeld(held);
    return { chosen, held };
  };
}
