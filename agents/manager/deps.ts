import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Tracker } from '../trackers/types.ts';
import type { GroupStore } from '../../orchestrator/ingest/groups.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import type { RequirementContext } from '../../orchestrator/library/requires.ts';
import type { RunJob } from '../../orchestrator/runs/execute-run.ts';
import type { RunStore } from '../../orchestrator/runs/types.ts';

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
