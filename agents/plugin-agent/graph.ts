import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { END, START, StateGraph } from '@langchain/langgraph';
import type { PluginAgentDeps } from './deps.ts';
import { escalate } from './nodes/escalate.ts';
import { loadContext } from './nodes/load-context.ts';
import { awaitApproval } from './nodes/await-approval.ts';
import { localise } from './nodes/localise.ts';
import { propose } from './nodes/propose.ts';
import { publish } from './nodes/publish.ts';
import { validate } from './nodes/validate.ts';
import { openIssue } from './nodes/open-issue.ts';
import { regressionTest } from './nodes/regression-test.ts';
import { reproduce } from './nodes/reproduce.ts';
import { stopAfter, stopReason } from './nodes/stop-after.ts';
import { pluginAgentState, type PluginAgentState } from './state.ts';

/** A run that attempts no fix (an environment failure, a plugin that cannot run here) ends at its issue, before any reproduction. */
function afterIssue(s: PluginAgentState): string {
  if (s.blocked) return 'escalate';
  return s.stopAfter === 'issue' && !s.released.includes('issue') ? 'stop-after' : 'reproduce';
}

function afterReproduce(s: PluginAgentState): string {
  if (s.reproduction?.status !== 'reproduced' && (s.context?.playbook.requireReproduction ?? true)) return 'escalate';
  return s.stopAfter === 'reproduce' && !s.released.includes('reproduce') ? 'stop-after' : 'localise';
}

/** Search rounds a run may take: each goes on with what is left of the fixer's candidate budget. */
const MAX_ROUNDS = 3;

/**
 * After validation: a fix goes to review; when every candidate was rejected and a fixer
 * stopped early with candidates left, the search goes on from where it stopped (a fix
 * that passes the reproduction is often only the first of several, and not the right
 * one); fixes that disagree, or a search that is spent, end at the issue.
 */
function afterValidate(s: PluginAgentState): string {
  if (s.proposal) return 'await-approval';
  const more = (s.searched ?? []).some((x) => x.more === true);
  return !s.disagreement && more && (s.rounds ?? 1) < MAX_ROUNDS ? 'propose' : 'escalate';
}

/** After a pause a person released, the step it held back; past the end of what is built, the end. */
function afterStop(s: PluginAgentState): string {
  if (s.outcome) return END;
  return stopReason(s) === 'issue' || !s.reproduction ? 'reproduce' : 'localise';
}

/** The Plugin Agent: one error group from context to an issue, a reproduction, a validated fix, a review and a proposal. Node ids are the files under nodes/. */
export function buildPluginAgentGraph(deps: PluginAgentDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(pluginAgentState)
    .addNode('load-context', loadContext(deps))
    .addNode('open-issue', openIssue(deps))
    .addNode('reproduce', reproduce(deps))
    .addNode('regression-test', regressionTest(deps))
    .addNode('localise', localise(deps))
    .addNode('propose', propose(deps))
    .addNode('validate', validate(deps))
    .addNode('await-approval', awaitApproval(deps))
    .addNode('publish', publish(deps))
    .addNode('stop-after', stopAfter(deps))
    .addNode('escalate', escalate(deps))
    .addEdge(START, 'load-context')
    .addEdge('load-context', 'open-issue')
    .addConditionalEdges('open-issue', afterIssue, ['stop-after', 'reproduce', 'escalate'])
    .addConditionalEdges('reproduce', (s: PluginAgentState) => (s.reproduction?.status === 'reproduced' ? 'regression-test' : afterReproduce(s)), [
      'regression-test',
      'escalate',
      'stop-after',
      'localise',
    ])
    .addConditionalEdges('regression-test', afterReproduce, ['escalate', 'stop-after', 'localise'])
    .addConditionalEdges('localise', (s: PluginAgentState) => (deps.fixers.length === 0 ? 'stop-after' : s.reproduction?.request === undefined ? 'escalate' : 'propose'), [
      'propose',
      'stop-after',
      'escalate',
    ])
    .addConditionalEdges('propose', (s: PluginAgentState) => ((s.candidates?.length ?? 0) > 0 ? 'validate' : 'escalate'), ['validate', 'escalate'])
    .addConditionalEdges('validate', afterValidate, ['await-approval', 'propose', 'escalate'])
    .addConditionalEdges('await-approval', (s: PluginAgentState) => (s.review?.decision === 'approve' ? 'publish' : 'escalate'), ['publish', 'escalate'])
    .addEdge('publish', END)
    .addConditionalEdges('stop-after', afterStop, ['reproduce', 'localise', END])
    .addEdge('escalate', END)
    .compile({ checkpointer });
}
