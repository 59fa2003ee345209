import type { GroupStore } from '../../orchestrator/ingest/groups.ts';
import type { RunDeps } from '../../orchestrator/runs/agent.ts';
import type { Fixer } from '../fixers/types.ts';
import type { Tracker } from '../trackers/types.ts';

/** What the Plugin Agent's nodes work with: the run's own deps, the error groups, the tracker. */
export interface PluginAgentDeps extends RunDeps {
  groups: GroupStore;
  tracker: Tracker;
  /** Where the plugin's declared variables come from (never its secrets: see reproduce). */
  env: NodeJS.ProcessEnv;
  /** The fixers to try, in order (none: the run stops after the reproduction). */
  fixers: Fixer[];
  /** The host's sample of successful calls, per plugin version (absent: none is held). */
  traffic?: { list(plugin: string, version?: string): Promise<{ input: unknown; output: unknown }[]> };
}
