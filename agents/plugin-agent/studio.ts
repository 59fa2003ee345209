import { MemorySaver } from '@langchain/langgraph';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { libraryRedis } from '../../orchestrator/redis/server.ts';
import { fixersFor } from '../fixers/registry.ts';
import { openTracker } from '../trackers/registry.ts';
import { buildPluginAgentGraph } from './graph.ts';

/**
 * The Plugin Agent for LangGraph Studio and the LangGraph CLI (`langgraph.json`): on the
 * library in $STEWARD_LIBRARY or the working directory. Outside a run executor there is
 * no run record, budget or once-only bookkeeping: effects simply happen, progress goes
 * to the log, and the server's own checkpointer replaces the in-memory one.
 */
export async function graph() {
  const library = openLibrary();
  const redis = connect(await libraryRedis(library), 'studio');
  const log = createLogger({ component: 'studio' });
  const now = new Date().toISOString();
  return buildPluginAgentGraph(
    {
      run: {
        id: 'studio',
        plugin: '',
        group: '',
        trigger: 'manual',
        state: 'running',
        playbook: library.config.defaultPlaybook,
        playbookHash: '',
        fixer: library.config.fixer,
        model: library.config.model,
        stopAfter: 'propose',
        tokensUsed: 0,
        createdAt: now,
        updatedAt: now,
        nextAction: null,
        outcome: null,
        error: null,
      },
      library,
      signal: new AbortController().signal,
      emit: (kind, data) => log.info({ kind, data }, 'run event'),
      output: (text) => log.debug({ text }, 'run output'),
      once: (_key, effect) => effect(),
      spendTokens: () => undefined,
      log,
      groups: new GroupStore(redis),
      tracker: openTracker(library),
      env: process.env,
      fixers: fixersFor(library.config),
    },
    new MemorySaver(),
  );
}
