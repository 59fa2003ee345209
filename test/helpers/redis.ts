import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ensureRedis, stopRedis, type RedisTarget } from '../../orchestrator/redis/server.ts';
import { tempDir } from './temp.ts';

const started: { stateDir: string; pid: number }[] = [];

afterAll(async () => {
  for (const { stateDir, pid } of started.splice(0)) {
    await stopRedis(stateDir);
    // The temp dir (and so the pid file) may be gone already: the pid we kept still names it.
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Stopped above.
    }
  }
});

/** A real redis-server of the test's own, the way steward starts one, stopped after the file. */
export async function startTestRedis(stateDir = join(tempDir('steward-redis-'), '.steward')): Promise<{ target: RedisTarget; stateDir: string }> {
  delete process.env.REDIS_URL;
  const target = await ensureRedis(stateDir);
  started.push({ stateDir, pid: Number(readFileSync(join(stateDir, 'redis', 'redis.pid'), 'utf8').trim()) });
  return { target, stateDir };
}
