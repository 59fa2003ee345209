import { interrupt } from '@langchain/langgraph';
import type { RunInterrupt } from '../../../orchestrator/runs/agent.ts';
import { behaviourLines } from '../behaviour/index.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';
import { writeProposalRecord } from '../proposal-record.ts';
import { openFix } from '../open-fix.ts';

/**
 * The validated fix waits for a maintainer: `steward review approve|reject` answers,
 * or, on a forge that reviews pull requests, what the maintainer does with the draft
 * opened here (read by the webhook or the scheduled review sync).
 */
export function awaitApproval(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const proposal = state.proposal;
    if (!proposal) throw new Error('await-approval without a proposal');
    const run = deps.run.id;
    await deps.once(`proposal-record:${run}`, async () => {
      writeProposalRecord(deps.library, { run, plugin: state.plugin, group: state.group, issue: state.issue ?? null, ...proposal });
      await deps.groups.transition(state.group, 'fix-proposed');
      deps.emit('proposal', { fixer: proposal.fixer, stats: proposal.stats, validated: proposal.validated, tried: proposal.tried });
      return true;
    });
    const labels = deps.library.config.github;
    const draft = deps.tracker.draftsAtValidation
      ? await openFix(deps, state, {
          waiting: `**Waits for a maintainer:** approve it with an approving review${labels ? ` or the \`${labels.approveLabel}\` label` : ''}; reject it by closing it${
            labels ? ` or with \`${labels.rejectLabel}\` (the latest review says why)` : ''
          }. \`steward review approve|reject ${run}\` does the same.`,
        })
      : undefined;
    const what = proposal.refuses
      ? `**A validated contract error waits for review**: it refuses the call with \`${proposal.refuses.type}: ${proposal.refuses.message}\` instead of making it succeed`
      : '**A validated fix waits for review**';
    await commentOnce(
      deps,
      state,
      'proposal',
      [
        `${what} (${proposal.stats.files} file(s), +${proposal.stats.added} −${proposal.stats.removed}): ${proposal.rationale}`,
        behaviourLines(proposal.evidence).join('\n'),
        draft ? `Review it in draft proposal #${draft.proposal}: ${draft.url}` : `\`steward review show ${run}\``,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    const ask: RunInterrupt = {
      kind: 'approval',
      reason: 'a validated fix waits for a maintainer',
      nextAction: `steward review show ${run}, then steward review approve ${run} or steward review reject ${run} --reason …`,
    };
    const answer = interrupt(ask) as { decision?: string; by?: string; reason?: string } | undefined;
    const decision = answer?.decision === 'approve' ? 'approve' : 'reject';
    return { review: { decision, by: answer?.by ?? 'unknown', ...(answer?.reason ? { reason: answer.reason } : {}) }, ...(draft ? { draft } : {}) };
  };
}
