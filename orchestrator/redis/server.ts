import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { fileLock } from '../core/file-lock.ts';
import { freePort } from '../core/free-port.ts';
import { messageOf, StewardError } from '../core/errors.ts';
import { log } from '../core/logger.ts';
import type { Library } from '../library/library.ts';
import { onPath } from '../sandbox/backends/which.ts';

/** Where steward's Redis lives: a server it started under the state dir, or REDIS_URL's. */
export interface RedisTarget {
  options: RedisOptions;
  /** For messages: a redis:// URL or the socket path. Never includes a password. */
  describe: string;
  managed: boolean;
}

/** Unix socket paths are limited to 108 bytes; longer state dirs use a loopback port. */
const MAX_SOCKET_PATH = 100;

function fromUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StewardError('E_USAGE', 'REDIS_URL is not a URL (redis://[user:password@]host:port[/db])');
  }
  const options: RedisOptions = {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { options, describe: `${parsed.protocol}//${parsed.hostname}:${options.port ?? 6379}`, managed: false };
}

function redisDir(stateDir: string): string {
  return join(stateDir, 'redis');
}

interface Layout {
  dir: string;
  conf: string;
  pid: string;
  socket: string;
  portFile: string;
  log: string;
}

function layout(stateDir: string): Layout {
  const dir = redisDir(stateDir);
  return { dir, conf: join(dir, 'redis.conf'), pid: join(dir, 'redis.pid'), socket: join(dir, 'redis.sock'), portFile: join(dir, 'redis.port'), log: join(dir, 'redis.log') };
}

function alive(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // After a reboot the number may belong to another program: only a redis-server is ours to stop.
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) return undefined;
  } catch {
    // No /proc (not Linux): the signal test above is all there is.
  }
  return pid;
}

async function ping(options: RedisOptions, timeoutMs = 500, settings: Record<string, string> = {}): Promise<boolean> {
  const client = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const alive = (await client.ping()) === 'PONG';
    for (const [name, value] of Object.entries(settings)) {
      // A server that refuses the setting is still alive: never start a second one on its files.
      await client.config('SET', name, value).catch((error: unknown) => log.warn({ setting: name, err: messageOf(error) }, 'redis refused a setting'));
    }
    return alive;
  } catch (error) {
    // A server replaying a large AOF answers LOADING: it is alive, just not ready yet.
    if (/LOADING/.test(messageOf(error))) {
      await sleep(200);
      return ping(options, timeoutMs, settings);
    }
    return false;
  } finally {
    client.disconnect();
  }
}

/** Debian's redis-server, installed on the spot where steward runs as root and may. */
function ensureRedisServer(): string {
  // STEWARD_REDIS_SERVER names a redis-server of one's own (a source build, another path).
  const wanted = process.env.STEWARD_REDIS_SERVER;
  const found = wanted ? (existsSync(wanted) ? wanted : undefined) : (onPath('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined));
  if (found) return found;
  const mayInstall = process.getuid?.() === 0 && process.env.STEWARD_NO_INSTALL !== '1';
  if (!mayInstall || wanted) {
    throw new StewardError('E_REDIS_MISSING', wanted ? `redis-server is not at STEWARD_REDIS_SERVER=${wanted}` : 'redis-server is not installed', {
      hint: "install Debian's package: sudo apt-get install redis-server (or set REDIS_URL to a server of yours)",
    });
  }
  log.warn('installing redis-server with apt-get');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (update.status !== 0 || install.status !== 0 || !existsSync('/usr/bin/redis-server')) {
    throw new StewardError('E_REDIS_MISSING', 'redis-server is not installed and apt-get could not install it', { hint: 'sudo apt-get install redis-server' });
  }
  return '/usr/bin/redis-server';
}

function targetOf(files: Layout, port: number | undefined): RedisTarget {
  return port
    ? { options: { host: '127.0.0.1', port }, describe: `redis://127.0.0.1:${port} (managed)`, managed: true }
    : { options: { path: files.socket }, describe: `${files.socket} (managed)`, managed: true };
}

/**
 * The Redis steward uses: REDIS_URL's when set (never starting one), else its own
 * server under the state dir, started once and reused by every later command.
 * AOF on, no eviction: queues and groups must never be dropped to make room.
 */
export async function ensureRedis(stateDir: string, options: { maxMemoryMb?: number } = {}): Promise<RedisTarget> {
  if (process.env.REDIS_URL) return fromUrl(process.env.REDIS_URL);
  const files = layout(stateDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  // Two commands starting at once must not start two servers on one AOF directory.
  const release = await lock(join(files.dir, 'start.lock'));
  try {
    return await startOrReuse(files, options.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB);
  } finally {
    release();
  }
}

/** The library's Redis, with its configured memory cap. */
export function libraryRedis(library: Library): Promise<RedisTarget> {
  return ensureRedis(library.paths.state, { maxMemoryMb: library.config.redis.maxMemoryMb });
}

const DEFAULT_MAX_MEMORY_MB = 1024;

function lock(file: string): Promise<() => void> {
  // A start takes well under 30 s: an older lock was left by a process that died holding it.
  return fileLock(file, { staleMs: 30_000, waitMs: 30_000, timeout: () => new StewardError('E_REDIS_START', `another steward process holds ${file}`) });
}

async function startOrReuse(files: Layout, maxMemoryMb: number): Promise<RedisTarget> {
  const savedPort = existsSync(files.portFile) ? Number(readFileSync(files.portFile, 'utf8')) : undefined;
  if (alive(files.pid)) {
    const target = targetOf(files, savedPort);
    // A running server started under another cap takes this one; its config file is rewritten on the next start.
    if (await ping(target.options, 500, { maxmemory: `${maxMemoryMb}mb` })) return target;
  }
  const bin = ensureRedisServer();
  const port = files.socket.length > MAX_SOCKET_PATH ? await freePort() : undefined;
  if (port) writeFileSync(files.portFile, String(port));
  else if (existsSync(files.portFile)) writeFileSync(files.portFile, '');
  writeFileSync(
    files.conf,
    [
      ...(port ? ['bind 127.0.0.1', `port ${port}`, 'protected-mode yes'] : ['port 0', `unixsocket ${files.socket}`, 'unixsocketperm 700']),
      `dir ${files.dir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      `maxmemory ${maxMemoryMb}mb`,
      'maxmemory-policy noeviction',
      'daemonize yes',
      `pidfile ${files.pid}`,
      `logfile ${files.log}`,
      '',
    ].join('\n'),
  );
  execFileSync(bin, [files.conf], { stdio: 'ignore' });
  const target = targetOf(files, port);
  for (let i = 0; i < 100; i++) {
    if (await ping(target.options)) return target;
    await sleep(50);
  }
  const tail = existsSync(files.log) ? readFileSync(files.log, 'utf8').trim().split('\n').slice(-3).join(' / ') : '';
  throw new StewardError('E_REDIS_START', `redis-server did not start: ${tail}`, { file: files.log });
}

/** `steward redis stop`: SHUTDOWN writes the AOF out; false when none was running. */
export async function stopRedis(stateDir: string): Promise<boolean> {
  const files = layout(stateDir);
  const pid = alive(files.pid);
  if (!pid) return false;
  const savedPort = existsSync(files.portFile) ? Number(readFileSync(files.portFile, 'utf8')) || undefined : undefined;
  const client = new Redis({ ...targetOf(files, savedPort).options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.shutdown('SAVE').catch(() => undefined);
  } catch {
    process.kill(pid, 'SIGTERM');
  } finally {
    client.disconnect();
  }
  for (let i = 0; i < 100 && alive(files.pid) === pid; i++) await sleep(50);
  return true;
}

export async function redisStatus(stateDir: string): Promise<{ running: boolean; pid?: number; describe: string }> {
  if (process.env.REDIS_URL) {
    const target = fromUrl(process.env.REDIS_URL);
    return { running: await ping(target.options), describe: target.describe };
  }
  const files = layout(stateDir);
  const pid = alive(files.pid);
  const savedPort = existsSync(files.portFile) ? Number(readFileSync(files.portFile, 'utf8')) || undefined : undefined;
  const target = targetOf(files, savedPort);
  return { running: pid !== undefined && (await ping(target.options)), ...(pid ? { pid } : {}), describe: target.describe };
}
