import { openTracker } from '../../agents/trackers/registry.ts';
import { GroupStore } from '../ingest/groups.ts';
import { openQueue } from '../ingest/queues.ts';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import { ensureRedis, type RedisTarget } from '../redis/server.ts';
import { openRunStore } from '../runs/database.ts';
import type { RunJob } from '../runs/executor.ts';
import { RUNS_QUEUE } from '../runs/worker.ts';
import type { ManagerDeps } from './deps.ts';

/** Everything a triage pass needs, opened on the library's Redis and state database. */
export async function openManager(library: Library, options: { runTests: boolean; target?: RedisTarget }): Promise<ManagerDeps & { close: () => Promise<void> }> {
  const target = options.target ?? (await ensureRedis(library.paths.state));
  const redis = connect(target, 'manager');
  const runQueue = openQueue<RunJob>(RUNS_QUEUE, redis);
  const runs = openRunStore(library);
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
