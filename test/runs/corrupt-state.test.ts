import { spawn } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRunStore, stateDatabase } from '../../orchestrator/runs/database.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary, STEWARD_ROOT } from '../helpers/git.ts';
import { startTestRedis } from '../helpers/redis.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

/** Runs the CLI in a child process and waits for it to exit by itself (no time limit of its own but the test's). */
function run(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), ...args], {
      cwd,
      env: { ...process.env, STEWARD_LIBRARY: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function libraryWithStore(): Promise<{ root: string; db: string }> {
  const library = await makeLibrary();
  await startTestRedis(library.paths.state);
  const store = openRunStore(library, {});
  await store.list();
  await store.close();
  return { root: library.root, db: stateDatabase(library) };
}

function expectNamedError(result: { code: number | null; stderr: string }, db: string, what: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toContain('E_STATE_CORRUPT');
  expect(result.stderr).toContain(db);
  expect(result.stderr).toMatch(what);
  // One clear message, never a stack.
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('a damaged run store', () => {
  it('a garbled state.db is one clear error naming the file, for listing and for the long-running commands', async () => {
    const { root, db } = await libraryWithStore();
    writeFileSync(db, Buffer.alloc(8192, 0x5a));
    for (const wal of [`${db}-wal`, `${db}-shm`]) writeFileSync(wal, '');
    expectNamedError(await run(['runs', 'list'], root), db, /not a readable SQLite database/);
    // These opened Redis before the store failed: they must still exit, not hang on open connections.
    expectNamedError(await run(['triage', '--once', '--no-tests'], root), db, /not a readable SQLite database/);
    expectNamedError(await run(['worker', '--no-schedule', '--no-tests'], root), db, /not a readable SQLite database/);
  }, 120_000);

  it('an existing state.db that became empty is refused, not started over', async () => {
    const { root, db } = await libraryWithStore();
    truncateSync(db, 0);
    expectNamedError(await run(['runs', 'list'], root), db, /is empty \(0 bytes\)/);
    const again = await run(['runs', 'list'], root);
    expect(again.code).toBe(2);
  }, 60_000);
});

describe('a damaged tracker record', () => {
  it('is one clear error naming the file', async () => {
    const library = await makeLibrary();
    const dir = join(library.paths.state, 'tracker', 'issues');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1.json'), '{"number": 1, "title": "cut off');
    const result = steward(['--library', library.root, 'issues', 'list']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(join(dir, '1.json'));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(dir, '1.json'), '[1, 2]');
    const shape = steward(['--library', library.root, 'issues', 'list']);
    expect(shape.stderr).toContain('E_STATE_CORRUPT');
    expect(shape.stderr).toContain('1.json');
  });
});
