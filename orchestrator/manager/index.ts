import { END, Send, START, StateGraph } from '@langchain/langgraph';
import type { ManagerDeps } from './deps.ts';
import { applyLimits } from './nodes/apply-limits.ts';
import { dispatch } from './nodes/dispatch.ts';
import { loadFleet } from './nodes/load-fleet.ts';
import { prioritise } from './nodes/prioritise.ts';
import { refreshHealth } from './nodes/refresh-health.ts';
import { report } from './nodes/report.ts';
import { managerState, type ManagerState } from './state.ts';

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
    .addConditionalEdges('apply-limits', (state: ManagerState) => (state.chosen.length > 0 ? state.chosen.map((d) => new Send('dispatch', d)) : 'report'), ['dispatch', 'report'])
    .addEdge('dispatch', 'report')
    .addEdge('report', END)
    .compile();
}

export async function triageOnce(deps: ManagerDeps, trigger: ManagerState['trigger'] = 'manual'): Promise<ManagerState> {
  return (await buildManagerGraph(deps).invoke({ now: new Date().toISOString(), trigger })) as ManagerState;
}
