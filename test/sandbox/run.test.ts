import { existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSandboxed } from '../../orchestrator/sandbox/run.ts';
import { startSandboxed } from '../../orchestrator/sandbox/spawn.ts';
import { sandboxRunCounts } from '../../orchestrator/sandbox/tally.ts';
import { addFiles, createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { tempDir } from '../helpers/temp.ts';
import { psArgs, until } from '../helpers/processes.ts';

const BACKENDS = ['bubblewrap', 'process'] as const;

describe.each(BACKENDS)('runSandboxed (%s)', (backend) => {
  it('passes only the given environment, stdin in, stdout out', async () => {
    process.env.STEWARD_TEST_SECRET = 'do-not-leak-4711';
    try {
      const result = await runSandboxed({
        argv: ['node', '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({s, env: process.env})))'],
        cwd: tempDir(),
        env: { GREETING: 'hi' },
        stdin: 'from stdin',
        timeoutMs: 10_000,
        backend,
      });
      expect(result.status).toBe('ok');
      const seen = JSON.parse(result.stdout) as { s: string; env: Record<string, string> };
      expect(seen.s).toBe('from stdin');
      expect(seen.env.GREETING).toBe('hi');
      expect(result.stdout).not.toContain('do-not-leak-4711');
      // PWD is the shell's doing (the cgroup wrapper is a shell): it names the working copy only.
      expect(
        Object.keys(seen.env)
          .filter((k) => k !== 'PWD')
          .sort(),
      ).toEqual(['GREETING', 'HOME', 'LANG', 'PATH', 'TMPDIR']);
    } finally {
      delete process.env.STEWARD_TEST_SECRET;
    }
  });

  it("keeps the run's environment off every process's command line", async () => {
    const value = `argv-secret-${Math.random().toString(36).slice(2)}`;
    const running = startSandboxed({ argv: ['sh', '-c', 'test -n "$API_KEY" && sleep 2'], cwd: tempDir(), env: { API_KEY: value }, timeoutMs: 10_000, backend });
    expect(await until(() => psArgs().some((line) => line.includes('sleep 2')), 5000)).toBe(true);
    expect(psArgs().filter((line) => line.includes(value))).toEqual([]);
    expect((await running.result).status).toBe('ok');
  });

  it('reports the exit code of a failing command and the isolation in force', async () => {
    const result = await runSandboxed({ argv: ['sh', '-c', 'echo oops >&2; exit 3'], cwd: tempDir(), timeoutMs: 5000, backend });
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe('oops\n');
    expect(result.isolation.backend).toBe(backend);
    expect(result.isolation.cgroup).toEqual(['memory', 'pids']);
    if (backend === 'bubblewrap') {
      expect(result.isolation.namespaces).toEqual(expect.arrayContaining(['user', 'pid', 'net', 'ipc', 'uts', 'mount']));
      expect(result.isolation.network).toBe('off');
    } else {
      expect(result.isolation.network).toBe('host');
    }
  });

  it('says spawn-error for a command that does not exist, and for a missing working copy', async () => {
    expect((await runSandboxed({ argv: ['steward-no-such-command'], cwd: tempDir(), timeoutMs: 5000, backend })).status).toBe('spawn-error');
    expect((await runSandboxed({ argv: ['true'], cwd: join(tempDir(), 'gone'), timeoutMs: 5000, backend })).status).toBe('spawn-error');
  });

  it('tallies each finished run by status, for /metrics', async () => {
    const before = new Map(sandboxRunCounts());
    await runSandboxed({ argv: ['true'], cwd: tempDir(), timeoutMs: 5000, backend });
    await runSandboxed({ argv: ['false'], cwd: tempDir(), timeoutMs: 5000, backend });
    await runSandboxed({ argv: ['true'], cwd: join(tempDir(), 'gone'), timeoutMs: 5000, backend });
    const after = sandboxRunCounts();
    for (const status of ['ok', 'failed', 'spawn-error'] as const) expect((after.get(status) ?? 0) - (before.get(status) ?? 0)).toBe(1);
  });

  it('caps output and says so', async () => {
    const result = await runSandboxed({ argv: ['node', '-e', 'process.stdout.write("x".repeat(300000))'], cwd: tempDir(), timeoutMs: 10_000, outputLimitBytes: 100_000, backend });
    expect(result.status).toBe('output-limit');
    expect(result.stdout.length).toBe(100_000);
    expect(result.stdoutTruncated).toBe(true);
  });

  it('a cancel ends the whole tree, and no process of the run is left within 2 s', async () => {
    const marker = `steward-cancel-${backend}-${Date.now()}`;
    const cwd = tempDir();
    writeFileSync(join(cwd, 'tree.sh'), `sleep 300 & sleep 300 & setsid bash -c 'exec -a ${marker} sleep 300' & exec -a ${marker} sleep 300\n`);
    const controller = new AbortController();
    const run = runSandboxed({ argv: ['bash', 'tree.sh'], cwd, timeoutMs: 60_000, signal: controller.signal, backend });
    expect(await until(() => psArgs().filter((line) => line.includes(marker)).length >= 2, 5000)).toBe(true);
    controller.abort();
    const result = await run;
    expect(result.status).toBe('cancelled');
    expect(await until(() => psArgs().filter((line) => line.includes(marker)).length === 0, 2000)).toBe(true);
    expect(existsSync(join('/sys/fs/cgroup/memory/steward', result.id))).toBe(false);
    expect(existsSync(join('/sys/fs/cgroup/pids/steward', result.id))).toBe(false);
  });

  it('gives extra pipes to the process as fd 3', async () => {
    const handle = startSandboxed({
      argv: ['node', '-e', 'const s=new (require("net").Socket)({fd:3,readable:true,writable:true});s.on("data",d=>{s.end("echo:"+d)})'],
      cwd: tempDir(),
      timeoutMs: 10_000,
      extraPipes: 1,
      backend,
    });
    const pipe = handle.pipes[0];
    const answer = new Promise<string>((resolve) => pipe?.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    pipe?.write('ping');
    expect(await answer).toBe('echo:ping');
    handle.kill('stopped');
    expect((await handle.result).status).toBe('cancelled');
  });
});

describe('bubblewrap isolation', () => {
  it('keeps the host file system read-only and out of sight, the working copy writable', async () => {
    const cwd = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'host-secret.txt'), 'host secret\n');
    const script = [
      `try { require("fs").readFileSync(${JSON.stringify(join(outside, 'host-secret.txt'))}); console.log("READ") } catch (e) { console.log(e.code) }`,
      'try { require("fs").writeFileSync("/usr/evil", "x"); console.log("WROTE") } catch (e) { console.log(e.code) }',
      'require("fs").writeFileSync("here.txt", "ok"); console.log("HERE")',
    ].join(';');
    const result = await runSandboxed({ argv: ['node', '-e', script], cwd, timeoutMs: 10_000, backend: 'bubblewrap' });
    expect(result.stdout.split('\n').slice(0, 3)).toEqual(['ENOENT', 'EROFS', 'HERE']);
    expect(existsSync(join(cwd, 'here.txt'))).toBe(true);
  });
});

describe('working copies', () => {
  it('copies the plugin, keeps links inside it, leaves out links that leave it', () => {
    const plugin = tempDir();
    mkdirSync(join(plugin, 'src'));
    writeFileSync(join(plugin, 'src', 'a.js'), 'a');
    symlinkSync('a.js', join(plugin, 'src', 'b.js'));
    symlinkSync('/etc/passwd', join(plugin, 'passwd'));
    symlinkSync('../../outside.txt', join(plugin, 'src', 'up.txt'));
    const copy = createWorkingCopy(plugin);
    try {
      expect(lstatSync(join(copy.dir, 'src', 'b.js')).isSymbolicLink()).toBe(true);
      expect(existsSync(join(copy.dir, 'passwd'))).toBe(false);
      expect(existsSync(join(copy.dir, 'src', 'up.txt'))).toBe(false);
      expect(copy.skipped.sort()).toEqual(['passwd', 'src/up.txt']);
      addFiles(copy, { 'test/repro.test.js': 'x' });
      expect(existsSync(join(copy.dir, 'test', 'repro.test.js'))).toBe(true);
      expect(() => addFiles(copy, { '../escape.js': 'x' })).toThrow(/outside the working copy/);
    } finally {
      copy.dispose();
    }
    expect(existsSync(copy.dir)).toBe(false);
  });
});
