import type { Library } from '../library/library.ts';
import { openQueue } from '../ingest/queues.ts';
import { connect } from '../redis/connection.ts';
import { libraryRedis } from '../redis/server.ts';
import type { RunControl } from './control.ts';
import { openRunStore } from './database.ts';
import type { RunJob } from './execute-run.ts';
import { RUNS_QUEUE } from './run-executor.ts';

/** What the CLI needs to cancel, resume or replay runs: the store, the runs queue, Redis. */
export async function openRunControl(library: Library): Promise<RunControl & { close(): Promise<void> }> {
  const store = openRunStore(library);
  const target = await libraryRedis(library);
  const redis = connect(target, 'runs-control');
  const queue = openQueue<RunJob>(RUNS_QUEUE, redis);
  return {
    store,
    queue,
    redis,
    async close() {
      await queue.close();
      redis.disconnect();
      await store.close();
    },
  };
}
