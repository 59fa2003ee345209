import type { TrackedIssue, TrackedProposal } from '../../agents/trackers/types.ts';
import type { RunEvent, RunRecord } from '../../orchestrator/runs/types.ts';

// What the pipeline leaves behind for scoring, apart from the pipeline itself: reports
// and `eval compare` read scores without loading the agent, Redis or the sandbox.

/** One Plugin Agent run of the task: its record, its events and its state at its last checkpoint. */
export interface RunOutcome {
  run: RunRecord;
  events: RunEvent[];
  /** The Plugin Agent's state at the run's last checkpoint (its graph's channels), when the run got that far. */
  state?: Record<string, unknown>;
}

/** What the real pipeline left behind for one task: what scoring reads. */
export interface PipelineOutcome {
  /** Why no run was dispatched (a held group, an unhealthy plugin), when none was. */
  notDispatched?: string;
  /**
   * One run per error group of the task's events, in the order triage dispatched them;
   * each later one on the library with the earlier fixes merged, as a maintainer's merges
   * and the next scheduled triage would have it.
   */
  runs: RunOutcome[];
  issues: TrackedIssue[];
  proposals: TrackedProposal[];
  /** Every published fix of the task together, as one unified diff relative to the plugin root. */
  patch?: string;
  /** The time limit ended a run before any fix was published. */
  timedOut: boolean;
  /** Why the task's later error groups got no run, when a run came before (a held group, a run with no fix, the time limit). */
  stopped?: string;
}

/** Every event of every run of the task, in run order. */
export function eventsOf(outcome: PipelineOutcome): RunEvent[] {
  return outcome.runs.flatMap((r) => r.events);
}
