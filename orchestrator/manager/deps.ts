import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Tracker } from '../../agents/trackers/types.ts';
import type { GroupStore } from '../ingest/groups.ts';
import type { Library } from '../library/library.ts';
import type { RequirementContext } from '../library/requires.ts';
import type { RunJob } from '../runs/executor.ts';
import type { RunStore } from '../runs/types.ts';


/** What the manager's nodes work with; handed in by whoever runs the graph. */
export interface ManagerDeps {
  library: Library;
  groups: GroupStore;
  runs: RunStore;
  runQueue: Queue<RunJob>;
  redis: Redis;
  /** Where the maintenance dashboard lives (and, for agents, issues and proposals). */
  tracker: Tracker;
  /** Run plugin test suites whose code changed or whose last run is too old. */
  runTests: boolean;
  requirements?: RequirementContext;
}
