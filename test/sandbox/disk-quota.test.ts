import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepOrphanedCopies } from '../../orchestrator/sandbox/disk-quota.ts';
import { runSandboxed } from '../../orchestrator/sandbox/run.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const copies: WorkingCopy[] = [];
afterEach(() => {
  for (const copy of copies.splice(0)) copy.dispose();
  delete process.env.STEWARD_NO_TMPFS;
});

const asRoot = process.getuid?.() === 0;

/** A plugin directory whose one script writes `mb` MiB in 1 MiB files into its working copy. */
function writer(mb: number): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'fill.mjs'),
    `import { writeFileSync, mkdirSync } from 'node:fs';\nmkdirSync('out', { recursive: true });\nconst chunk = Buffer.alloc(1024 * 1024, 120);\nfor (let i = 0; i < ${mb}; i++) writeFileSync('out/' + i, chunk);\nconsole.log('wrote all');\n`,
  );
  return dir;
}

function mountOptions(root: string): string | undefined {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === root);
  return line?.split(' ')[5];
}

describe('a working copy has a size quota', () => {
  for (const mode of ['own tmpfs', 'checked'] as const) {
    it(`a run that writes past it is stopped (${mode})`, async () => {
      if (mode === 'checked') process.env.STEWARD_NO_TMPFS = '1';
      const copy = createWorkingCopy(writer(64), { quotaMb: 16 });
      copies.push(copy);
      const tmpfs = mode === 'own tmpfs' && asRoot;
      expect(copy.quota.mounted).toBe(tmpfs);
      const result = await runSandboxed({ argv: ['node', 'fill.mjs'], cwd: copy.dir, timeoutMs: 30_000, backend: 'bubblewrap' });
      expect(result.status).toBe('disk-quota');
      // Its own tmpfs refuses every byte past the quota; a checked limit is measured a few
      // times a second, so a fast writer may get further before it is stopped.
      if (tmpfs) {
        expect(result.stdout).not.toContain('wrote all');
        expect(copy.quota.used()).toBeLessThanOrEqual(16 * 1024 * 1024);
      }
    }, 60_000);
  }

  it('a checked limit stops a run that fills its copy and then waits, long before its time limit', async () => {
    process.env.STEWARD_NO_TMPFS = '1';
    const dir = writer(24);
    writeFileSync(join(dir, 'fill.mjs'), `${readFileSync(join(dir, 'fill.mjs'), 'utf8')}await new Promise((resolve) => setTimeout(resolve, 60_000));\n`);
    const copy = createWorkingCopy(dir, { quotaMb: 16 });
    copies.push(copy);
    const result = await runSandboxed({ argv: ['node', 'fill.mjs'], cwd: copy.dir, timeoutMs: 50_000, backend: 'bubblewrap' });
    expect(result.status).toBe('disk-quota');
    expect(result.durationMs).toBeLessThan(20_000);
  }, 60_000);

  it('a checked limit counts entries, so a million empty files are not free', async () => {
    process.env.STEWARD_NO_TMPFS = '1';
    const dir = tempDir();
    writeFileSync(
      join(dir, 'touch.mjs'),
      "import { closeSync, openSync } from 'node:fs';\nfor (let i = 0; i < 20000; i++) closeSync(openSync('f' + i, 'w'));\nawait new Promise((resolve) => setTimeout(resolve, 60_000));\n",
    );
    const copy = createWorkingCopy(dir, { quotaMb: 16 });
    copies.push(copy);
    const result = await runSandboxed({ argv: ['node', 'touch.mjs'], cwd: copy.dir, timeoutMs: 50_000, backend: 'bubblewrap' });
    expect(result.status).toBe('disk-quota');
  }, 60_000);

  it('a run that stays under it is not stopped', async () => {
    const copy = createWorkingCopy(writer(4), { quotaMb: 16 });
    copies.push(copy);
    const result = await runSandboxed({ argv: ['node', 'fill.mjs'], cwd: copy.dir, timeoutMs: 30_000, backend: 'bubblewrap' });
    expect(result.status).toBe('ok');
    expect(result.stdout).toContain('wrote all');
  });

  it.runIf(asRoot)('as root, is its own tmpfs mounted nosuid and nodev, so a setuid file made inside is inert', async () => {
    const copy = createWorkingCopy(writer(1), { quotaMb: 16 });
    copies.push(copy);
    const root = join(copy.dir, '..');
    const options = mountOptions(root) ?? '';
    expect(options.split(',')).toEqual(expect.arrayContaining(['nosuid', 'nodev']));
    const made = await runSandboxed({ argv: ['sh', '-c', 'cp /usr/bin/id ./id && chmod 4755 ./id'], cwd: copy.dir, timeoutMs: 10_000, backend: 'bubblewrap' });
    expect(made.status).toBe('ok');
    copy.dispose();
    expect(existsSync(root)).toBe(false);
    expect(mountOptions(root)).toBeUndefined();
  });
});

describe('as root, a bubblewrap run has an unprivileged host uid', () => {
  afterEach(() => delete process.env.STEWARD_SANDBOX_UID);

  it.runIf(asRoot)("what it makes is not root's on the host: a setuid copy of a program grants nobody's rights", async () => {
    // Made outside the temporary directory's copies too: a plain directory, not a tmpfs.
    process.env.STEWARD_NO_TMPFS = '1';
    const copy = createWorkingCopy(writer(1), { quotaMb: 16 });
    copies.push(copy);
    writeFileSync(join(copy.dir, 'from-host.txt'), 'written by steward before the run\n');
    // A read-only bind in the temporary directory (steward's own modules may be there) is read, never taken over.
    const shared = tempDir();
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'lib.txt'), 'shared\n');
    const made = await runSandboxed({
      argv: ['sh', '-c', `cp /usr/bin/id ./id && chmod 4755 ./id && echo changed >> from-host.txt && mkdir -p __pycache__/x && cat ${shared}/lib.txt`],
      cwd: copy.dir,
      timeoutMs: 10_000,
      backend: 'bubblewrap',
      readOnlyBinds: [{ source: shared, target: shared }],
    });
    expect(made.stdout).toBe('shared\n');
    expect(statSync(join(shared, 'lib.txt')).uid).toBe(0);
    expect(made.status).toBe('ok');
    expect(made.isolation.hostUid).toBe(65534);
    const id = statSync(join(copy.dir, 'id'));
    expect(id.mode & 0o4000).toBe(0o4000);
    expect(id.uid).toBe(65534);
    expect(statSync(join(copy.dir, '__pycache__', 'x')).uid).toBe(65534);
    // Files steward put there before the run stay the run's to change.
    expect(readFileSync(join(copy.dir, 'from-host.txt'), 'utf8')).toContain('changed');
  });

  it.runIf(asRoot)('STEWARD_SANDBOX_UID picks the uid, and 0 keeps the mapping to root', async () => {
    for (const [asked, expected] of [
      ['4242', 4242],
      ['0', 0],
    ] as const) {
      process.env.STEWARD_SANDBOX_UID = asked;
      const copy = createWorkingCopy(writer(1), { quotaMb: 16 });
      copies.push(copy);
      const made = await runSandboxed({ argv: ['sh', '-c', 'touch made'], cwd: copy.dir, timeoutMs: 10_000, backend: 'bubblewrap' });
      expect(made.status).toBe('ok');
      expect(made.isolation.hostUid).toBe(expected);
      expect(statSync(join(copy.dir, 'made')).uid).toBe(expected);
    }
  });
});

describe('orphaned working copies', () => {
  it('a copy whose process was killed with -9 is swept; a live process keeps its own', async () => {
    const parent = tempDir();
    const live = createWorkingCopy(writer(1), { parent });
    copies.push(live);
    // A child process makes a copy, says where, and is killed before it can remove it.
    const script = `import { createWorkingCopy } from ${JSON.stringify(join(STEWARD_ROOT, 'orchestrator/sandbox/working-copy.ts'))};\nconst c = createWorkingCopy(${JSON.stringify(writer(1))}, { parent: ${JSON.stringify(parent)}, quotaMb: 16 });\nconsole.log(c.dir);\nsetInterval(() => {}, 1000);\n`;
    writeFileSync(join(parent, 'child.mts'), script);
    const child = spawn(process.execPath, ['--import', 'tsx', join(parent, 'child.mts')], { cwd: STEWARD_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const orphan = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(orphan)).toBe(true);

    mkdirSync(join(parent, 'unrelated'));
    const removed = sweepOrphanedCopies(parent);
    expect(removed).toEqual([join(orphan, '..')]);
    expect(existsSync(join(orphan, '..'))).toBe(false);
    expect(existsSync(live.dir)).toBe(true);
    expect(existsSync(join(parent, 'unrelated'))).toBe(true);
    if (asRoot) expect(mountOptions(join(orphan, '..'))).toBeUndefined();
  }, 60_000);
});
