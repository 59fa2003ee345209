import type { PluginAgentDeps } from '../deps.ts';
import { issueBody } from '../issue-body.ts';
import type { PluginAgentState } from '../state.ts';
import { cutTitle } from '../../../orchestrator/core/title.ts';

/** An issue title holds the error message, which readers want more of than a commit subject gives. */
const ISSUE_TITLE_MAX = 120;

/** An environment failure is no bug; a plugin that cannot run here needs a person from the start. */
function issueLabels(state: Pick<PluginAgentState, 'plugin' | 'blocked'>): string[] {
  const plugin = `plugin:${state.plugin}`;
  if (state.blocked?.kind === 'environment') return ['steward', 'environment', plugin];
  if (state.blocked?.kind === 'unavailable') return ['steward', 'bug', plugin, 'needs-human'];
  return ['steward', 'bug', plugin];
}

/**
 * Opens the group's issue, or comments on the open one the fingerprint marker finds:
 * a retry (the effect's key) or a second run (the tracker's marker) never opens a duplicate.
 */
export function openIssue(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const context = state.context;
    if (!context) throw new Error('open-issue before load-context');
    const { issue, created } = await deps.once(`issue:${deps.run.id}`, () =>
      deps.tracker.upsertIssue(
        {
          fingerprint: state.group,
          plugin: state.plugin,
          title: cutTitle(`[${state.plugin}] ${context.error.type}: ${context.error.message}`, ISSUE_TITLE_MAX),
          body: issueBody(deps.library, state, deps.run.id),
          labels: issueLabels(state),
        },
        `Run \`${deps.run.id}\` picked this group up again (${context.error.count} occurrence(s), last ${context.error.lastSeen}).`,
      ),
    );
    deps.emit('issue', { number: issue.number, url: issue.url, created });
    return { issue: { number: issue.number, url: issue.url, created } };
  };
}
