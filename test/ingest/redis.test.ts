import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRedis, redisStatus, stopRedis } from '../../orchestrator/redis/server.ts';
import { steward } from '../helpers/cli.ts';
import { startTestRedis } from '../helpers/redis.ts';
import { tempDir } from '../helpers/temp.ts';

afterEach(() => {
  delete process.env.REDIS_URL;
});

async function config(target: Awaited<ReturnType<typeof ensureRedis>>, key: string): Promise<string | undefined> {
  const client = new Redis(target.options);
  try {
    return ((await client.config('GET', key)) as string[])[1];
  } finally {
    client.disconnect();
  }
}

describe('the Redis steward starts for itself', () => {
  it('runs on a unix socket under the state dir, with AOF and no eviction, and is reused through its pid file', async () => {
    const { target, stateDir } = await startTestRedis();
    expect(target.managed).toBe(true);
    expect(target.options.path).toBe(join(stateDir, 'redis', 'redis.sock'));
    expect(await config(target, 'appendonly')).toBe('yes');
    expect(await config(target, 'maxmemory-policy')).toBe('noeviction');
    const pid = readFileSync(join(stateDir, 'redis', 'redis.pid'), 'utf8').trim();

    const again = await ensureRedis(stateDir);
    expect(again.options.path).toBe(target.options.path);
    expect(readFileSync(join(stateDir, 'redis', 'redis.pid'), 'utf8').trim()).toBe(pid);
    expect((await redisStatus(stateDir)).running).toBe(true);

    expect(await stopRedis(stateDir)).toBe(true);
    expect((await redisStatus(stateDir)).running).toBe(false);
    expect(existsSync(join(stateDir, 'redis', 'appendonlydir'))).toBe(true);
  });

  it('keeps data across a stop and a start (AOF)', async () => {
    const { target, stateDir } = await startTestRedis();
    const client = new Redis(target.options);
    await client.set('steward:test', 'kept');
    client.disconnect();
    await stopRedis(stateDir);
    const restarted = await ensureRedis(stateDir);
    const again = new Redis(restarted.options);
    expect(await again.get('steward:test')).toBe('kept');
    again.disconnect();
  });

  it('uses a loopback port when the socket path would be too long', async () => {
    const stateDir = join(tempDir(), 'a'.repeat(60), 'b'.repeat(40), '.steward');
    const { target } = await startTestRedis(stateDir);
    expect(target.options.host).toBe('127.0.0.1');
    expect(target.options.port).toBeGreaterThan(0);
    expect(await config(target, 'bind')).toBe('127.0.0.1');
  });

  it('with REDIS_URL, uses that server and never starts one', async () => {
    const long = join(tempDir(), 'c'.repeat(100), '.steward');
    const { target } = await startTestRedis(long);
    const elsewhere = join(tempDir(), '.steward');
    process.env.REDIS_URL = `redis://127.0.0.1:${target.options.port}`;
    const used = await ensureRedis(elsewhere);
    expect(used.managed).toBe(false);
    expect(used.options.port).toBe(target.options.port);
    expect(existsSync(join(elsewhere, 'redis'))).toBe(false);
    process.env.REDIS_URL = 'not a url';
    await expect(ensureRedis(elsewhere)).rejects.toThrow(/REDIS_URL is not a URL/);
  });

  it('steward redis status/stop from the command line', async () => {
    const root = tempDir();
    expect(steward(['init', '--dir', root]).code).toBe(0);
    expect(steward(['redis', 'status'], { cwd: root }).code).toBe(1);
    const started = steward(['redis', 'start'], { cwd: root });
    expect(started.code).toBe(0);
    expect(started.stdout).toContain('redis.sock (managed)');
    const status = JSON.parse(steward(['redis', 'status', '--json'], { cwd: root }).stdout) as { running: boolean; pid: number };
    expect(status.running).toBe(true);
    expect(steward(['redis', 'stop'], { cwd: root }).stdout).toContain('stopped');
    expect(steward(['redis', 'status'], { cwd: root }).code).toBe(1);
  });
});

describe('without redis-server', () => {
  it('fails with a message that names the package when it may not install it', async () => {
    const stateDir = join(tempDir(), '.steward');
    process.env.STEWARD_REDIS_SERVER = '/nonexistent/redis-server';
    try {
      await expect(ensureRedis(stateDir)).rejects.toMatchObject({ code: 'E_REDIS_MISSING', details: { hint: expect.stringContaining('apt-get install redis-server') } });
      const root = tempDir();
      steward(['init', '--dir', root]);
      const cli = steward(['redis', 'start'], { cwd: root, env: { STEWARD_REDIS_SERVER: '/nonexistent/redis-server', STEWARD_NO_INSTALL: '1' } });
      expect(cli.code).toBe(2);
      expect(cli.stderr).toContain('E_REDIS_MISSING');
      expect(cli.stderr).toContain('redis-server');
    } finally {
      delete process.env.STEWARD_REDIS_SERVER;
    }
  });
});
