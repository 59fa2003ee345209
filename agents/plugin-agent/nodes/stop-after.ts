import { interrupt } from '@langchain/langgraph';
import type { RunInterrupt } from '../../../orchestrator/runs/agent.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Where a run stops: the stopAfter it reached, or the reproduction when no fixer is configured for it. */
export function stopReason(state: PluginAgentState): 'issue' | 'reproduce' | 'no-fixer' {
  if (!state.reproduction) return 'issue';
  if (state.suspects === undefined) return 'reproduce';
  return 'no-fixer';
}

/**
 * A pause at the run's `stopAfter` (the issue, or the reproduction): the run waits
 * for `steward runs resume`. With no fixer configured, the run ends here and says so
 * on its issue.
 */
export function stopAfter(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const reason = stopReason(state);
    if (reason === 'no-fixer') {
      const text = 'Stopped after the reproduction: no fixer is configured for this run. The reproduction and the suspects above are ready for a person.';
      await commentOnce(deps, state, 'no-fixer', text);
      return { outcome: 'reproduced; no fixer configured' };
    }
    const pause: RunInterrupt = {
      kind: 'pause',
      reason: `stopAfter is "${reason}": the run goes no further without a person`,
      nextAction: `steward runs resume ${deps.run.id} goes on ${reason === 'issue' ? 'to the reproduction' : 'to the fix'}${state.issue ? ` (issue #${state.issue.number})` : ''}`,
    };
    interrupt(pause);
    return { released: [reason] };
  };
}
