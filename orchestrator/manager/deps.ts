import type { Queue } from 'bullmq';
import type { GroupStore } from '../ingest/groups.ts';
import type { Library } from '../library/library.ts';
import type { RequirementContext } from '../library/requires.ts';
import type { RunStore } from '../runs/types.ts';

export interface RunJob {
  run: string;
}

/** What the manager's nodes work with; handed in by whoever runs the graph. */
export interface ManagerDeps {
  library: Library;
  groups: GroupStore;
  runs: RunStore;
  runQueue: Queue<RunJob>;
  /** Run plugin test suites whose code changed or whose last run is too old. */
  runTests: boolean;
  requirements?: RequirementContext;
}
