import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import type { AgentDefinition } from '../../orchestrator/runs/agent.ts';
import { fixersFor } from '../fixers/registry.ts';
import type { Fixer } from '../fixers/types.ts';
import { openTracker } from '../trackers/registry.ts';
import type { Tracker } from '../trackers/types.ts';
import type { PluginAgentDeps } from './deps.ts';
import { buildPluginAgentGraph } from './graph.ts';

/** The Plugin Agent as the runs worker executes it. */
export function pluginAgent(options: {
  groups: GroupStore;
  tracker: Tracker;
  fixers?: Fixer[];
  env?: NodeJS.ProcessEnv;
  /** The host's recorded successful calls, which every candidate fix is held to. */
  traffic?: PluginAgentDeps['traffic'];
  close?: () => Promise<void>;
}): AgentDefinition {
  return {
    name: 'plugin-agent',
    input: (run) => ({ plugin: run.plugin, group: run.group, stopAfter: run.stopAfter }),
    build: (deps, checkpointer) =>
      buildPluginAgentGraph(
        {
          ...deps,
          groups: options.groups,
          tracker: options.tracker,
          fixers: options.fixers ?? [],
          env: options.env ?? process.env,
          ...(options.traffic ? { traffic: options.traffic } : {}),
        },
        checkpointer,
      ),
    ...(options.close ? { close: options.close } : {}),
  };
}

/** The Plugin Agent on the library's Redis and its configured tracker, for `steward worker` and `start`. */
export function openPluginAgent(target: RedisTarget, library: Library): AgentDefinition {
  const redis = connect(target, 'plugin-agent');
  return pluginAgent({
    groups: new GroupStore(redis),
    traffic: new TrafficStore(redis),
    tracker: openTracker(library),
    fixers: fixersFor(library.config),
    close: async () => {
      redis.disconnect();
    },
  });
}
