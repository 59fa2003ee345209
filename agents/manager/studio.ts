import { openLibrary } from '../../orchestrator/library/library.ts';
import { buildManagerGraph } from './graph.ts';
import { openManager } from './open.ts';

/**
 * The Manager Agent for LangGraph Studio and the LangGraph CLI (`langgraph.json`): on
 * the library in $STEWARD_LIBRARY or the working directory, its Redis and run store,
 * without test runs.
 */
export async function graph() {
  const deps = await openManager(openLibrary(), { runTests: false });
  return buildManagerGraph(deps);
}
