// Hostile plugins against the sandbox: each fixture of test/fixtures/hostile runs once
// through the process protocol (node-plugin.mjs --once) under bubblewrap, and every run
// must end precisely as designed and leave nothing behind.
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeArgv, PLUGIN_PROCESS_DIR } from '../../orchestrator/host/runtime-node.ts';
import { CONFIG_FILE } from '../../orchestrator/library/config.ts';
import { checkManifest } from '../../orchestrator/library/manifest.ts';
import { isInside } from '../../orchestrator/library/tree.ts';
import { runSandboxed } from '../../orchestrator/sandbox/run.ts';
import { DEFAULT_OUTPUT_LIMIT } from '../../orchestrator/sandbox/spawn.ts';
import type { SandboxResult, SandboxSpec } from '../../orchestrator/sandbox/types.ts';
import { createWorkingCopy, type WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';
import { HOSTILE, HOSTILE_FIXTURES } from '../helpers/hostile.ts';
import { processesAt, psArgs, until } from '../helpers/processes.ts';

const FIXTURES = HOSTILE_FIXTURES;
const CGROUP = '/sys/fs/cgroup';
const MIB = 1024 * 1024;

interface ErrorLine {
  error: { type: string; message: string; stack?: string; code?: string };
}

/** What afterEach checks: the working copies and run ids of the test's runs. */
const runs: { copy: WorkingCopy; id: string }[] = [];

/** A unique tag for `ps`: a number, so `sleep` accepts it as an extra duration. */
function uniqueTag(): string {
  return `0.${process.pid}${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
}

/** Runs one hostile fixture (or a prepared copy of one) once, under bubblewrap, with the worker's --once protocol. */
async function runOnce(pluginDir: string, input: unknown, spec: Partial<SandboxSpec> = {}): Promise<{ result: SandboxResult; copy: WorkingCopy }> {
  const name = pluginDir.split('/').pop() ?? '';
  const { manifest, problems } = checkManifest(pluginDir, name);
  if (!manifest || problems.length > 0) throw new Error(`fixture ${pluginDir} has an invalid manifest: ${JSON.stringify(problems)}`);
  const copy = createWorkingCopy(pluginDir);
  const result = await runSandboxed({
    argv: nodeArgv(manifest.entry, ['--once']),
    cwd: copy.dir,
    timeoutMs: manifest.limits.timeoutMs,
    memoryMb: manifest.limits.memoryMb,
    readOnlyBinds: [...copy.binds, { source: PLUGIN_PROCESS_DIR, target: PLUGIN_PROCESS_DIR }],
    stdin: JSON.stringify({ op: 'execute', input }),
    backend: 'bubblewrap',
    ...spec,
  });
  runs.push({ copy, id: result.id });
  if (result.isolation.backend !== 'bubblewrap') {
    throw new Error(`expected the bubblewrap backend, the run used "${result.isolation.backend}": ${result.reason ?? result.stderr}`);
  }
  expect(result.isolation.cgroup).toEqual(['memory', 'pids']);
  expect(result.isolation.network).toBe('off');
  return { result, copy };
}

/** The contract's error line: the last line of stderr. */
function errorLine(stderr: string): ErrorLine | undefined {
  const last = stderr.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'error' in parsed ? (parsed as ErrorLine) : undefined;
  } catch {
    return undefined;
  }
}

afterEach(async () => {
  const finished = runs.splice(0);
  try {
    for (const { copy, id } of finished) {
      // Nothing of the run is left: no process names or works in its copy, its cgroups are gone.
      expect(
        await until(() => processesAt(copy.dir).length === 0, 2000),
        processesAt(copy.dir)
          .map((p) => p.line)
          .join('\n'),
      ).toBe(true);
      expect(id).not.toBe('not-started');
      for (const controller of ['memory', 'pids']) {
        const dir = join(CGROUP, controller, 'steward', id);
        expect(await until(() => !existsSync(dir), 2000), `${dir} is left over`).toBe(true);
      }
    }
  } finally {
    for (const { copy } of finished) copy.dispose();
  }
});

describe('hostile fixtures', () => {
  it('are valid plugins with small limits', () => {
    for (const name of [...HOSTILE, 'echo']) {
      const dir = join(FIXTURES, name);
      const { manifest, problems } = checkManifest(dir, name);
      expect(problems, name).toEqual([]);
      // A fork storm's 256 successful spawns take over 2 s on a slow machine: it alone gets 10 s.
      expect(manifest?.limits, name).toEqual({ timeoutMs: name === 'fork-storm' ? 10_000 : 2000, memoryMb: 256 });
      expect(existsSync(join(dir, 'AGENT.md')), name).toBe(true);
      expect(existsSync(join(dir, manifest?.entry ?? 'missing')), name).toBe(true);
    }
  });
});

describe('hostile plugins in the bubblewrap sandbox (--once)', () => {
  it('an infinite loop is killed at the time limit', async () => {
    const { result } = await runOnce(join(FIXTURES, 'infinite-loop'), {}, { timeoutMs: 1500 });
    expect(result.status).toBe('timeout');
    expect(result.reason).toBe('timeout');
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).toBe('');
    expect(result.durationMs).toBeGreaterThanOrEqual(1500);
    expect(result.durationMs).toBeLessThan(4500);
  });

  it('a fork storm is held to maxProcesses, and none of its children survives the run', async () => {
    const tag = uniqueTag();
    const { result } = await runOnce(join(FIXTURES, 'fork-storm'), { count: 2000, tag }, { maxProcesses: 64, timeoutMs: 20_000 });
    expect(result.status).toBe('ok');
    const output = JSON.parse(result.stdout) as { spawned: number; failed: number; codes: string[] };
    // Node's own threads count against pids.max too: fewer than 64 children can start.
    expect(output.spawned).toBeGreaterThan(0);
    expect(output.spawned).toBeLessThan(64);
    expect(output.failed).toBe(2000 - output.spawned);
    expect(output.codes).toEqual(['EAGAIN']);
    expect(await until(() => !psArgs().some((line) => line.includes(`sleep 60 ${tag}`)), 2000)).toBe(true);
  });

  it('a fork storm that waits for its children times out, and its children die with it', async () => {
    const tag = uniqueTag();
    const { result } = await runOnce(join(FIXTURES, 'fork-storm'), { count: 2000, tag, wait: true }, { maxProcesses: 64, timeoutMs: 1500 });
    expect(result.status).toBe('timeout');
    expect(result.stdout).toBe('');
    expect(await until(() => !psArgs().some((line) => line.includes(`sleep 60 ${tag}`)), 2000)).toBe(true);
  });

  it('allocating 4 GB is an OOM kill at the 256 MB cap', async () => {
    const { result } = await runOnce(join(FIXTURES, 'alloc-4gb'), {}, { memoryMb: 256, timeoutMs: 20_000 });
    expect(result.status).toBe('oom');
    expect(result.stdout).toBe('');
    expect(result.peakMemoryBytes).toBeGreaterThan(128 * MIB);
    expect(result.peakMemoryBytes).toBeLessThanOrEqual(256 * MIB);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it('cannot reach a server on the host loopback', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { result } = await runOnce(join(FIXTURES, 'loopback-connect'), { port });
      expect(result.status).toBe('ok');
      // The sandbox has its own loopback, where nobody listens.
      expect(JSON.parse(result.stdout)).toEqual({ connected: false, code: 'ECONNREFUSED' });
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('writes outside the working copy land in the throw-away sandbox, never on the host', async () => {
    const outside = tempDir();
    const fresh = join(outside, 'made', 'pwned.txt');
    const existing = join(outside, 'existing.txt');
    writeFileSync(existing, 'original');
    for (const path of [fresh, existing]) {
      const { result } = await runOnce(join(FIXTURES, 'write-outside'), { path });
      // The plugin believes it wrote: the sandbox's /tmp is its own tmpfs.
      expect(result.status, result.stderr).toBe('ok');
      expect(JSON.parse(result.stdout)).toEqual({ wrote: path });
    }
    expect(existsSync(join(outside, 'made'))).toBe(false);
    expect(readFileSync(existing, 'utf8')).toBe('original');
  });

  it('writes into a host directory bound into the sandbox fail read-only', async () => {
    const target = join(PLUGIN_PROCESS_DIR, 'hostile-pwned.txt');
    const { result } = await runOnce(join(FIXTURES, 'write-outside'), { path: target });
    expect(result.status).toBe('failed');
    expect(errorLine(result.stderr)?.error).toMatchObject({ type: 'Error', code: 'EROFS' });
    expect(existsSync(target)).toBe(false);
  });

  it('cannot read the library it belongs to', async () => {
    const library = await makeLibrary(tempDir());
    writePlugin(join(library.paths.plugins, 'neighbour'), 'neighbour', { manifest: manifestFor('neighbour', { description: 'neighbour-secret-7781' }) });
    const config = join(library.root, CONFIG_FILE);
    const neighbour = join(library.paths.plugins, 'neighbour', 'plugin.json');
    for (const path of [config, neighbour]) {
      const content = readFileSync(path, 'utf8');
      expect(content.length).toBeGreaterThan(10);
      const { result } = await runOnce(join(FIXTURES, 'read-library-file'), { path });
      expect(result.status).toBe('failed');
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(errorLine(result.stderr)?.error).toMatchObject({ type: 'Error', code: 'ENOENT', message: `ENOENT: no such file or directory, open '${path}'` });
      expect(result.stdout + result.stderr).not.toContain(content.trim());
    }
    expect(readFileSync(neighbour, 'utf8')).toContain('neighbour-secret-7781');
  });

  it('a setsid escapee dies with the run', async () => {
    const tag = uniqueTag();
    const { result } = await runOnce(join(FIXTURES, 'setsid-escape'), { tag });
    expect(result.status).toBe('ok');
    // The escapee really ran, in its own session, when the plugin returned.
    expect(JSON.parse(result.stdout)).toEqual({ escaped: true });
    expect(await until(() => !psArgs().some((line) => line.includes(`sleep 299 ${tag}`)), 2000)).toBe(true);
  });

  it('50 MB on stdout is cut at the output limit', async () => {
    const { result } = await runOnce(join(FIXTURES, 'stdout-50mb'), {}, { timeoutMs: 20_000 });
    expect(result.status).toBe('output-limit');
    expect(result.reason).toBe('output-limit');
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout.length).toBe(DEFAULT_OUTPUT_LIMIT);
    expect(result.stdout).toMatch(/^x+$/);
  });

  it('an absolute symlink to a host file is left out of the working copy', async () => {
    const marker = `host-secret-${uniqueTag()}`;
    const secret = join(tempDir(), 'secret.txt');
    writeFileSync(secret, `${marker}\n`);
    const plugin = join(tempDir(), 'symlink-host-path');
    cpSync(join(FIXTURES, 'symlink-host-path'), plugin, { recursive: true });
    symlinkSync(secret, join(plugin, 'data', 'secret.txt'));
    expect(readFileSync(join(plugin, 'data', 'secret.txt'), 'utf8')).toContain(marker);

    const { result, copy } = await runOnce(plugin, {});
    expect(copy.skipped).toEqual(['data/secret.txt']);
    expect(() => lstatSync(join(copy.dir, 'data', 'secret.txt'))).toThrow(/ENOENT/);
    expect(result.status).toBe('failed');
    expect(errorLine(result.stderr)?.error).toMatchObject({ type: 'Error', code: 'ENOENT', message: "ENOENT: no such file or directory, open 'data/secret.txt'" });
    expect(result.stdout + result.stderr).not.toContain(marker);
    // The plugin cannot read the file by its host path either.
    const direct = await runOnce(plugin, { path: secret });
    expect(direct.result.status).toBe('failed');
    expect(errorLine(direct.result.stderr)?.error).toMatchObject({ code: 'ENOENT' });
    expect(direct.result.stdout + direct.result.stderr).not.toContain(marker);
  });

  it('relative symlinks that leave the plugin through another symlink are left out too', async () => {
    const marker = `host-secret-${uniqueTag()}`;
    const secret = join(tempDir(), 'secret.txt');
    writeFileSync(secret, `${marker}\n`);
    const plugin = join(tempDir(), 'symlink-host-path');
    cpSync(join(FIXTURES, 'symlink-host-path'), plugin, { recursive: true });
    // data/up → the plugin root (inside). data/root goes through "up" eight times, each
    // time back at the plugin root, then climbs eight levels: lexically still inside the
    // plugin, physically the host's "/".
    symlinkSync('..', join(plugin, 'data', 'up'));
    symlinkSync(`up/${'data/up/'.repeat(7)}${'../'.repeat(8)}`.replace(/\/$/, ''), join(plugin, 'data', 'root'));
    expect(realpathSync.native(join(plugin, 'data', 'root'))).toBe('/');

    const { result, copy } = await runOnce(plugin, { path: `data/root${secret}` });
    // Inside bubblewrap "/" is the sandbox's own root: the host file stays out of sight.
    expect(result.status).toBe('failed');
    expect(errorLine(result.stderr)?.error).toMatchObject({ code: 'ENOENT' });
    expect(result.stdout + result.stderr).not.toContain(marker);
    // The working copy itself must not hold a way out (the process backend and plugin tests use it as is).
    const escaping: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isSymbolicLink()) {
          let real: string | undefined;
          try {
            real = realpathSync.native(path);
          } catch {
            // Dangling: leads nowhere.
          }
          if (real !== undefined && !isInside(realpathSync.native(copy.dir), real)) escaping.push(`${path.slice(copy.dir.length + 1)} -> ${real}`);
        } else if (entry.isDirectory()) {
          walk(path);
        }
      }
    };
    walk(copy.dir);
    expect(escaping).toEqual([]);
    expect(copy.skipped).toContain('data/root');
  });

  it('process.exit(0) in execute exits 0 with no answer at all', async () => {
    const { result } = await runOnce(join(FIXTURES, 'exit-mid-execute'), {});
    expect(result.status).toBe('ok');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    expect(() => JSON.parse(result.stdout) as unknown).toThrow(SyntaxError);
  });

  it('an unhandled rejection fails the run with the error line', async () => {
    const { result } = await runOnce(join(FIXTURES, 'unhandled-rejection'), {});
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Error: boom');
    // The contract: the last line of stderr is {"error":{…}}, as for a thrown error.
    expect(errorLine(result.stderr)?.error, `last stderr line: ${result.stderr.trim().split('\n').pop() ?? ''}`).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('a thrown string or plain object fails with its type and message in the last stderr line', async () => {
    const thrownString = await runOnce(join(FIXTURES, 'throw-non-error'), {});
    expect(thrownString.result.status).toBe('failed');
    expect(thrownString.result.exitCode).toBe(1);
    expect(errorLine(thrownString.result.stderr)).toEqual({ error: { type: 'thrown string', message: 'plain string thrown' } });

    const thrownObject = await runOnce(join(FIXTURES, 'throw-non-error'), { variant: 'object' });
    expect(thrownObject.result.status).toBe('failed');
    expect(thrownObject.result.exitCode).toBe(1);
    expect(errorLine(thrownObject.result.stderr)).toEqual({ error: { type: 'thrown object', message: '{"code":42}' } });
  });

  it('output that breaks interface.output is still "ok" here: the sandbox does not check schemas', async () => {
    const { result } = await runOnce(join(FIXTURES, 'bad-output'), {});
    expect(result.status).toBe('ok');
    expect(JSON.parse(result.stdout)).toEqual({ count: 'many' });
  });

  it('the healthy echo plugin answers', async () => {
    const { result } = await runOnce(join(FIXTURES, 'echo'), { text: 'hello' });
    expect(result.status).toBe('ok');
    expect(JSON.parse(result.stdout)).toEqual({ text: 'hello' });
  });
});
