import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Why no fix is proposed, from the furthest step the run reached back to the first. */
function whyEscalated(state: PluginAgentState): string {
  if (state.review?.decision === 'reject') return `${state.review.by} rejected the proposed fix${state.review.reason ? `: ${state.review.reason}` : ''}`;
  if (state.candidates && state.candidates.length > 0 && !state.proposal)
    return `no candidate fix held up in validation (${(state.rejected ?? [])
      .map((r) => r.reason)
      .slice(0, 3)
      .join('; ')})`;
  if (state.candidates?.length === 0) {
    const said = (state.searched ?? []).map((s) => `${s.fixer}: ${s.why}`).join('; ');
    return `the fixers found no candidate fix${said ? ` (${said})` : ''}`;
  }
  if (state.reproduction?.status === 'no-input') return 'the events carry no input to replay, so the error cannot be reproduced';
  if (state.reproduction?.status === 'not-reproduced') {
    return 'the captured input does not reproduce the error on the current code: it may depend on the environment, on state, or on a version already fixed';
  }
  return 'no validated fix was found';
}

/** No fix to propose: the issue gets the analysis and the `needs-human` label, and no patch. */
export function escalate(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const issue = state.issue;
    const why = whyEscalated(state);
    if (issue) {
      await deps.once(`escalate:${deps.run.id}`, async () => {
        await deps.tracker.addLabels(issue.number, ['needs-human']);
        const rule = state.reproduction?.status === 'reproduced' ? 'No patch is proposed.' : 'The playbook forbids a fix without a failing reproduction.';
        await deps.tracker.comment(issue.number, `**Needs a person:** ${why}. ${rule}`);
        return { labelled: true };
      });
    }
    deps.emit('escalated', { why });
    return { outcome: `escalated: ${why}` };
  };
}
