import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import { openFix } from '../open-fix.ts';
import type { PluginAgentState } from '../state.ts';

/**
 * An approved fix is published: its branch and proposal (see open-fix), made now, or
 * made at validation on a forge, where the draft now becomes ready for review.
 */
export function publish(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const { review } = state;
    if (!state.proposal || !state.issue || review?.decision !== 'approve') throw new Error('publish without an approved proposal and its issue');
    const made = await openFix(deps, state, { approvedBy: review.by });
    if (deps.tracker.markReady) await deps.once(`ready:${deps.run.id}`, async () => (await deps.tracker.markReady?.(made.proposal), true));
    await commentOnce(deps, state, 'published', `The fix is on branch \`${made.branch}\` (${made.commit.slice(0, 12)}), proposal #${made.proposal}. Approved by ${review.by}.`);
    deps.emit('published', { branch: made.branch, commit: made.commit, proposal: made.proposal });
    return { published: made, outcome: `proposed: ${made.branch}, proposal #${made.proposal}` };
  };
}
