import { fenced } from '../../../orchestrator/core/markdown.ts';
import { createFixBranch } from '../../../orchestrator/library/fix-branch.ts';
import { commentOnce } from '../comment.ts';
import { conventionalTitle } from '../../../orchestrator/core/title.ts';
import { behaviourLines } from '../behaviour/index.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/**
 * An approved fix becomes a branch `steward/<plugin>/<group>` in the library (never a
 * commit on the main branch) and a proposal through the tracker that fixes the issue.
 */
export function publish(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const { proposal, issue, review } = state;
    if (!proposal || !issue || review?.decision !== 'approve') throw new Error('publish without an approved proposal and its issue');
    const run = deps.run.id;
    const wanted = `steward/${state.plugin}/${state.group.slice(0, 12)}`;
    const refusal = proposal.refuses;
    const subject = conventionalTitle('fix', state.plugin, refusal ? `refuse the call with ${refusal.type}: ${refusal.message}` : proposal.rationale);
    const made = await deps.once(`branch:${run}`, () =>
      createFixBranch(deps.library, state.plugin, wanted, proposal.files, `${subject}\n\nFixes #${issue.number}. Run ${run}; approved by ${review.by}.`, proposal.base),
    );
    const branch = made.branch;
    const body = [
      ...(refusal
        ? [
            `> **This change does not make the failing call succeed.** It refuses the call with a contract error, \`${refusal.type}: ${refusal.message}\`, instead of a crash inside the plugin. Merge it when the input is the caller's mistake; otherwise the plugin still needs a fix.`,
          ]
        : []),
      `## Root cause\n\n${proposal.rationale}`,
      `## Evidence\n\n- before: ${proposal.evidence.before}\n- after: ${proposal.evidence.after}\n- the suite: ${proposal.evidence.suite.passed} passed, ${proposal.evidence.suite.failed} failed (${proposal.evidence.suite.baselinePassed} passed on the original)${behaviourLines(
        proposal.evidence,
      )
        .map((l) => `\n${l}`)
        .join('')}`,
      `## Change\n\n${proposal.stats.files} file(s), +${proposal.stats.added} −${proposal.stats.removed}, by the ${proposal.fixer} fixer (${proposal.validated} of ${proposal.tried} candidate(s) validated)\n\n${fenced(proposal.diff, 'diff')}`,
      `## Run\n\n\`${run}\` (its timeline and model cost: \`steward runs show ${run}\`). Approved by ${review.by}.`,
    ].join('\n\n');
    const { proposal: opened } = await deps.once(`proposal:${run}`, () =>
      deps.tracker.openProposal({ issue: issue.number, fingerprint: state.group, plugin: state.plugin, branch, title: subject, body }),
    );
    await commentOnce(deps, state, 'published', `The fix is on branch \`${branch}\` (${made.commit.slice(0, 12)}), proposal #${opened.number}.`);
    deps.emit('published', { branch, commit: made.commit, proposal: opened.number });
    return { published: { branch, commit: made.commit, proposal: opened.number, url: opened.url }, outcome: `proposed: ${branch}, proposal #${opened.number}` };
  };
}
