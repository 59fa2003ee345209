import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { openQueue, QUEUES, type DeadLetter, type TriageJob } from '../../orchestrator/ingest/queues.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { connect, QUEUE_PREFIX } from '../../orchestrator/redis/connection.ts';
import type { RedisTarget } from '../../orchestrator/redis/server.ts';

/** A valid event of `plugin`, thrown from `fn` at `line` (so versions can move lines). */
export function eventOf(plugin: string, overrides: Partial<ErrorEvent> & { fn?: string; line?: number } = {}): ErrorEvent {
  const { fn = 'toRecords', line = 53, ...rest } = overrides;
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    plugin,
    pluginVersion: '1.0.0',
    level: 'error',
    error: {
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'trim')",
      stack: `TypeError: Cannot read properties of undefined (reading 'trim')\n    at ${fn} (src/records.js:${line}:41)\n    at Object.execute (src/index.js:24:20)`,
    },
    invocation: { operation: 'execute', input: { text: 'a,b\n1' } },
    ...rest,
  };
}

/** Every value stored in Redis as one string, to search for what must not be there. */
export async function dumpRedis(target: RedisTarget): Promise<string> {
  const client = new Redis(target.options);
  const parts: string[] = [];
  try {
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      parts.push(key);
      if (type === 'string') parts.push((await client.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await client.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await client.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await client.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
    }
  } finally {
    client.disconnect();
  }
  return parts.join('\n');
}

export async function queueJobs(target: RedisTarget): Promise<{ triage: TriageJob[]; dead: DeadLetter[] }> {
  const redis = connect(target, 'test');
  const triage = openQueue<TriageJob>(QUEUES.triage, redis);
  const dead = openQueue<DeadLetter>(QUEUES.dead, redis);
  try {
    const states = ['waiting', 'delayed', 'completed', 'failed', 'active'] as const;
    return {
      triage: (await triage.getJobs([...states], 0, -1, true)).map((j) => j.data),
      dead: (await dead.getJobs([...states], 0, -1, true)).map((j) => j.data),
    };
  } finally {
    await Promise.all([triage.close(), dead.close()]);
    redis.disconnect();
  }
}

/** Takes every waiting triage job as the manager would (completing it), and returns them. */
export async function takeTriage(target: RedisTarget): Promise<TriageJob[]> {
  const taken: TriageJob[] = [];
  const connection = connect(target, 'test-triage');
  const worker = new Worker<TriageJob>(
    QUEUES.triage,
    async (job) => {
      taken.push(job.data);
    },
    { connection, prefix: QUEUE_PREFIX, autorun: false },
  );
  const queue = openQueue<TriageJob>(QUEUES.triage, connection);
  try {
    void worker.run();
    for (let i = 0; i < 100; i++) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      if (Object.values(counts).every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
  }
  return taken;
}
