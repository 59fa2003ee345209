import { openTracker } from '../trackers/registry.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openQueue } from '../../orchestrator/ingest/queues.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { libraryRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { openRunStore } from '../../orchestrator/runs/database.ts';
import type { RunJob } from '../../orchestrator/runs/execute-run.ts';
import { RUNS_QUEUE } from '../../orchestrator/runs/run-executor.ts';
import type { ManagerDeps } from './deps.ts';

/** Everything a triage pass needs, opened on the library's Redis and state database. */
export async function openManager(library: Library, options: { runTests: boolean; target?: RedisTarget }): Promise<ManagerDeps & { close: () => Promise<void> }> {
  // The store first: a damaged one fails before any connection is open to keep the process alive.
  const runs = openRunStore(library);
  const target = options.target ?? (await libraryRedis(library));
  const redis = connect(target, 'manager');
  const runQueue = openQueue<RunJob>(RUNS_QUEUE, redis);
  return {
    library,
    groups: new GroupStore(redis),
    runs,
    runQueue,
    redis,
    tracker: openTracker(library),
    runTests: options.runTests,
    async close() {
      await runQueue.close();
      await runs.close();
      redis.disconnect();
    },
  };
}
