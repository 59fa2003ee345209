import type { ManagerDeps } from './deps.ts';
import { buildManagerGraph } from './graph.ts';
import type { ManagerState } from './state.ts';

/** One triage pass: the Manager Agent's graph run once over the whole library. */
export async function triageOnce(deps: ManagerDeps, trigger: ManagerState['trigger'] = 'manual'): Promise<ManagerState> {
  return (await buildManagerGraph(deps).invoke({ now: new Date().toISOString(), trigger })) as ManagerState;
}
