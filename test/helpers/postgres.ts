import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './processes.ts';

/** Debian's PostgreSQL binaries, newest version first. */
function binaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export interface TestPostgres {
  /** A fresh, empty database on the server, as a postgres:// URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server of the test file's own: a cluster in a temp dir, trust
 * authentication on a loopback port. As root it runs as the `postgres` user, since
 * PostgreSQL refuses to run as root.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = binaries();
  if (!bin) throw new Error('PostgreSQL is not installed: .ci/setup installs it (apt-get install postgresql)');
  // Not tempDir(): that is removed after each test, and the server lives for the whole file.
  const dir = mkdtempSync(join(tmpdir(), 'steward-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const as = (argv: string[]): string[] => (asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);
  if (asRoot) {
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
    chownSync(dir, uid, gid);
  }
  const [initdb, ...initArgs] = as([join(bin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initdb!, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, ...args] = as([
    join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ]);
  const server: ChildProcess = spawn(postgres!, args, { stdio: 'ignore' });
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: admin });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  let n = 0;
  return {
    async database() {
      const name = `steward_${process.pid}_${++n}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (server.exitCode !== null) return rmSync(dir, { recursive: true, force: true });
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      // Fast shutdown: sessions are ended, then the server stops.
      const [pgCtl, ...stopArgs] = as([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
      try {
        execFileSync(pgCtl!, stopArgs, { stdio: 'ignore', timeout: 30_000 });
      } catch {
        server.kill('SIGKILL');
      }
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
