import { join } from 'node:path';
import { GroupStore } from '../ingest/groups.ts';
import { openQueue } from '../ingest/queues.ts';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import { ensureRedis } from '../redis/server.ts';
import { SqliteRunStore } from '../runs/sqlite-store.ts';
import type { ManagerDeps, RunJob } from './deps.ts';

export const RUNS_QUEUE = 'runs';

/** The state database: run sessions now, the agent graphs' checkpoints with them. */
export function stateDatabase(library: Library): string {
  return join(library.paths.state, 'state.db');
}

/** Everything a triage pass needs, opened on the library's Redis and state database. */
export async function openManager(library: Library, options: { runTests: boolean }): Promise<ManagerDeps & { close: () => Promise<void> }> {
  const target = await ensureRedis(library.paths.state);
  const redis = connect(target, 'manager');
  const runQueue = openQueue<RunJob>(RUNS_QUEUE, redis);
  const runs = new SqliteRunStore(stateDatabase(library));
  return {
    library,
    groups: new GroupStore(redis),
    runs,
    runQueue,
    runTests: options.runTests,
    async close() {
      await runQueue.close();
      runs.close();
      redis.disconnect();
    },
  };
}
