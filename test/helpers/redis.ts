import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ensureRedis, stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { tempDir } from './temp.ts';

const started: string[] = [];

afterAll(async () => {
  for (const stateDir of started.splice(0)) await stopRedis(stateDir);
});

/** A real redis-server of the test's own, the way steward starts one, stopped after the file. */
export async function startTestRedis(stateDir = join(tempDir('steward-redis-'), '.steward')): Promise<{ target: RedisTarget; stateDir: string }> {
  delete process.env.REDIS_URL;
  const target = await ensureRedis(stateDir);
  started.push(stateDir);
  return { target, stateDir };
}
