import { openQueue, QUEUES, type DeadLetter } from '../ingest/queues.ts';
import type { Library } from '../library/library.ts';
import { connect } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/server.ts';
import { openCheckpointer, openRunStore, type Checkpointer } from '../runs/database.ts';
import { prune, type PruneReport } from './prune.ts';

/** One prune of the library's stores with its configured retention, everything opened and closed here. */
export async function pruneLibrary(library: Library, target: RedisTarget, now = Date.now()): Promise<PruneReport> {
  const runs = openRunStore(library);
  let checkpointer: Checkpointer | undefined;
  const redis = connect(target, 'prune');
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  try {
    checkpointer = openCheckpointer(library);
    return await prune({ redis, dead, runs, checkpointer }, library.config.retention, now);
  } finally {
    await dead.close();
    redis.disconnect();
    await checkpointer?.close();
    await runs.close();
  }
}
