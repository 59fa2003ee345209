import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { openQueue } from '../../orchestrator/ingest/queues.ts';
import { openLibrary, type Library } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';
import { enqueueRun, type RunControl } from '../../orchestrator/runs/control.ts';
import { openCheckpointer, openRunStore } from '../../orchestrator/runs/database.ts';
import type { RunJob } from '../../orchestrator/runs/execute-run.ts';
import type { RunRecord, RunStore } from '../../orchestrator/runs/types.ts';
import { RUNS_QUEUE } from '../../orchestrator/runs/run-executor.ts';
import { makeLibrary, STEWARD_ROOT } from '../helpers/git.ts';
import { spawnProcess } from '../helpers/processes.ts';
import { startTestRedis } from '../helpers/redis.ts';
import type { StandInOptions } from '../helpers/stand-in-agent.ts';
import { newRun } from '../helpers/runs.ts';

export const quietLog = createLogger({ component: 'test' });

export interface RunsFixture {
  library: Library;
  target: RedisTarget;
  store: RunStore;
  redis: Redis;
  queue: Queue<RunJob>;
  control: RunControl;
  saver: ReturnType<typeof openCheckpointer>;
  effectsFile: string;
  /** A queued run for `group`, its first job on the runs queue. */
  dispatch(group?: string): Promise<RunRecord>;
  close(): Promise<void>;
}

/** A library whose config a worker in another process reads too, its Redis, store and runs queue. */
export async function runsFixture(workers: Record<string, number> = {}, manager: Record<string, unknown> = {}): Promise<RunsFixture> {
  const made = await makeLibrary();
  writeFileSync(join(made.root, 'steward.config.json'), `${JSON.stringify({ workers: { runLockSeconds: 2, ...workers }, manager }, null, 2)}\n`);
  const library = openLibrary({ library: made.root });
  const { target } = await startTestRedis(library.paths.state);
  const store = openRunStore(library);
  const saver = openCheckpointer(library);
  const redis = connect(target, 'test-runs');
  const queue = openQueue<RunJob>(RUNS_QUEUE, redis);
  let n = 0;
  return {
    library,
    target,
    store,
    redis,
    queue,
    saver,
    control: { store, queue, redis },
    effectsFile: join(library.paths.state, 'effects.log'),
    async dispatch(group = `g${++n}`) {
      const run = await store.create(newRun({ group }));
      await enqueueRun(queue, run.id, undefined, true);
      return run;
    },
    async close() {
      await queue.close();
      redis.disconnect();
      await store.close();
      await saver.close();
    },
  };
}

/** A worker process running the stand-in agent; resolves once it consumes the queue. */
export function spawnWorker(library: Library, options: StandInOptions, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  return spawnProcess(join(STEWARD_ROOT, 'test/helpers/stand-in-worker.ts'), [library.root, JSON.stringify(options)], env);
}

/** Polls until the run is in one of `states`; the record at the end. */
export async function untilState(store: RunStore, id: string, states: string[], ms = 30_000): Promise<RunRecord | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await store.get(id);
    if ((run && states.includes(run.state)) || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function nodesStarted(store: RunStore, id: string, node: string): Promise<number> {
  return (await store.events(id)).filter((e) => e.kind === 'node-started' && (e.data as { node: string }).node === node).length;
}
