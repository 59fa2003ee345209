import { END, Send, START, StateGraph } from '@langchain/langgraph';
import type { ManagerDeps } from './deps.ts';
import { applyLimits } from './nodes/apply-limits.ts';
import { dispatch, DISPATCH_BATCH, DISPATCH_TASKS } from './nodes/dispatch.ts';
import { loadFleet } from './nodes/load-fleet.ts';
import { prioritise } from './nodes/prioritise.ts';
import { refreshHealth } from './nodes/refresh-health.ts';
import { report } from './nodes/report.ts';
import { managerState, type ManagerState } from './state.ts';

/**
 * One Send per batch of chosen groups, at most DISPATCH_TASKS of them (each task listens
 * on the pass's abort signal, and Node warns past 10); straight to the report when
 * nothing was chosen.
 */
export function fanOut(state: ManagerState): Send[] | 'report' {
  if (state.chosen.length === 0) return 'report';
  const size = Math.max(DISPATCH_BATCH, Math.ceil(state.chosen.length / DISPATCH_TASKS));
  const sends: Send[] = [];
  for (let i = 0; i < state.chosen.length; i += size) sends.push(new Send('dispatch', { batch: state.chosen.slice(i, i + size) }));
  return sends;
}

/** The Manager Agent: one triage pass over the whole library. Node ids are the files under nodes/. */
export function buildManagerGraph(deps: ManagerDeps) {
  return new StateGraph(managerState)
    .addNode('load-fleet', loadFleet(deps))
    .addNode('refresh-health', refreshHealth(deps))
    .addNode('prioritise', prioritise(deps))
    .addNode('apply-limits', applyLimits(deps))
    .addNode('dispatch', dispatch(deps))
    .addNode('report', report(deps))
    .addEdge(START, 'load-fleet')
    .addEdge('load-fleet', 'refresh-health')
    .addEdge('refresh-health', 'prioritise')
    .addEdge('prioritise', 'apply-limits')
    .addConditionalEdges('apply-limits', fanOut, ['dispatch', 'report'])
    .addEdge('dispatch', 'report')
    .addEdge('report', END)
    .compile();
}
