import { fenced } from '../../../orchestrator/core/markdown.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Why no fix is proposed, from the furthest step the run reached back to the first. */
function whyEscalated(state: PluginAgentState): string {
  if (state.review?.decision === 'reject') return `${state.review.by} rejected the proposed fix${state.review.reason ? `: ${state.review.reason}` : ''}`;
  if (state.disagreement && state.disagreement.length >= 2) {
    const refuted = state.disagreement.filter((d) => d.refuted).length;
    const answers = state.disagreement.map((d) => d.output).join(' vs ');
    return refuted > 0
      ? `${state.disagreement.length} fixes that pass the reproduction and the tests disagree on what the failing call should return (${answers}); ${refuted} of them ${refuted === 1 ? 'was' : 'were'} refuted on other inputs, so the tests and the captured inputs do not pin the answer down and the one left would be a guess: none is proposed`
      : `${state.disagreement.length} validated fixes disagree on what the failing call should return (${answers}): the tests, the captured inputs and the recorded traffic cannot tell which one is right, so none is proposed`;
  }
  // A later search round that found nothing new still had the earlier rounds' rejections to tell.
  if (!state.proposal && ((state.candidates?.length ?? 0) > 0 || (state.rejected?.length ?? 0) > 0))
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

/**
 * A run that attempts no fix (`blocked`, see load-context): the issue, which already says
 * why, is labelled (an issue of an earlier run had other labels) and told so, and the run
 * ends with the reason as its outcome.
 */
async function endBlocked(deps: PluginAgentDeps, state: PluginAgentState, blocked: NonNullable<PluginAgentState['blocked']>): Promise<Partial<PluginAgentState>> {
  const issue = state.issue;
  const environment = blocked.kind === 'environment';
  if (issue) {
    await deps.once(`escalate:${deps.run.id}`, async () => {
      await deps.tracker.addLabels(issue.number, [environment ? 'environment' : 'needs-human']);
      return { labelled: true };
    });
    await commentOnce(
      deps,
      state,
      'escalate',
      environment
        ? `**Environment:** ${blocked.reason}. No code change is expected: steward neither reproduces the error nor looks for a fix.`
        : `**Needs a person:** the plugin cannot run here (${blocked.reason}), so the error is not reproduced and no fix is attempted.`,
    );
  }
  deps.emit('escalated', { why: blocked.reason, kind: blocked.kind });
  return { outcome: `${blocked.kind}: ${blocked.reason}` };
}

/** The fixes that disagree, each with its diff, for the person who chooses. */
function alternatives(state: PluginAgentState): string {
  const fixes = state.disagreement ?? [];
  if (fixes.length < 2) return '';
  return fixes
    .map(
      (d, i) =>
        `\n\n<details><summary>candidate ${i + 1} (${d.fixer}): the call returns ${d.output}${d.refuted ? ' (refuted on other inputs)' : ''}</summary>\n\n${d.rationale}${d.refuted ? `\n\nRefuted: ${d.refuted}` : ''}\n\n${fenced(d.diff, 'diff')}\n</details>`,
    )
    .join('');
}

async function closeUnmerged(deps: PluginAgentDeps, number: number): Promise<void> {
  const [proposal] = (await deps.tracker.listProposals({ state: 'open' })).filter((p) => p.number === number);
  if (proposal) await deps.tracker.setProposalState(number, 'closed');
}

/** No fix to propose: the issue gets the analysis and the `needs-human` label, and no patch. */
export function escalate(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    if (state.blocked) return endBlocked(deps, state, state.blocked);
    const issue = state.issue;
    const why = whyEscalated(state);
    if (issue) {
      await deps.once(`escalate:${deps.run.id}`, async () => {
        await deps.tracker.addLabels(issue.number, ['needs-human']);
        return { labelled: true };
      });
      // A rejected draft is closed, as a rejection through the CLI or a label leaves it open.
      const draft = state.draft;
      if (draft && state.review?.decision === 'reject') await deps.once(`close-draft:${deps.run.id}`, async () => (await closeUnmerged(deps, draft.proposal), true));
      const rule = state.reproduction?.status === 'reproduced' ? 'No patch is proposed.' : 'The playbook forbids a fix without a failing reproduction.';
      await commentOnce(deps, state, 'escalate', `**Needs a person:** ${why}. ${rule}${alternatives(state)}`);
    }
    // The run is over and a person has the issue: the group leaves in-progress/fix-proposed,
    // and triage leaves it to them until it is resolved, ignored or given a run again.
    await deps.groups.transition(state.group, 'triaged', { needsHuman: true });
    deps.emit('escalated', { why });
    return { outcome: `escalated: ${why}` };
  };
}
