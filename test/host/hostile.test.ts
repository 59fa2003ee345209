// Hostile plugins against the plugin host: one host serves every fixture of
// test/fixtures/hostile plus a healthy echo. Whatever a plugin does, the host answers
// with the right Outcome, one valid error event, keeps serving the others, and
// leaves no process behind when it closes.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHost } from '../../orchestrator/host/host.ts';
import type { FailureKind, Outcome } from '../../orchestrator/host/types.ts';
import { errorEventSchema, type ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { CONFIG_FILE } from '../../orchestrator/library/config.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { makeLibrary, STEWARD_ROOT } from '../helpers/git.ts';
import { HOSTILE, HOSTILE_FIXTURES } from '../helpers/hostile.ts';
import { processesAt, psArgs, until } from '../helpers/processes.ts';

const FIXTURES = HOSTILE_FIXTURES;
const PLUGINS = ['echo', ...HOSTILE] as const;
const STATES = ['DISCOVERED', 'LOADED', 'INITIALIZED', 'RUNNING', 'FAILED', 'UNAVAILABLE'];
const CGROUP = '/sys/fs/cgroup';

/** A unique tag for `ps`: a number, so `sleep` takes it as one more duration. */
function uniqueTag(): string {
  return `0.${process.pid}${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
}

let root: string;
/** Where the host's working copies go (TMPDIR for this file): what marks our processes. */
let copies: string;
let library: Library;
let host: PluginHost;
let closed = false;
const events: ErrorEvent[] = [];
/** Calls that failed (not counting refusals): each must have made exactly one event. */
let failedCalls = 0;
/** Every run cgroup one of our workers was seen in: all must be gone after close(). */
const cgroups = new Set<string>();
const savedTmpdir = process.env.TMPDIR;
let server: Server;
let connections = 0;
let secretMarker: string;
let secretFile: string;
const tags = { fork: uniqueTag(), setsid: uniqueTag() };

function noteCgroups(): void {
  for (const { cgroup } of processesAt(copies)) if (cgroup) cgroups.add(cgroup);
}

async function invoke(name: string, input: unknown): Promise<{ outcome: Outcome; captured: ErrorEvent[] }> {
  const before = events.length;
  const outcome = await host.invoke(name, input);
  if (!outcome) throw new Error(`the host does not know ${name}`);
  if (!outcome.ok && outcome.kind !== 'not-runnable') failedCalls++;
  noteCgroups();
  return { outcome, captured: events.slice(before) };
}

/** Exactly one event, valid, at the right level, with no host path in it. */
function expectOneEvent(captured: ErrorEvent[], plugin: string, kind: Exclude<FailureKind, 'not-runnable'>, level: ErrorEvent['level'], type: string): ErrorEvent {
  expect(captured).toHaveLength(1);
  const event = errorEventSchema.parse(captured[0]);
  expect(event.plugin).toBe(plugin);
  expect(event.pluginVersion).toBe('1.0.0');
  expect(event.level).toBe(level);
  expect(event.tags).toEqual({ failure: kind });
  expect(event.error.type).toBe(type);
  expect(event.invocation?.operation).toBe('execute');
  const text = JSON.stringify(event);
  expect(text).not.toContain('steward-wc-');
  expect(text).not.toContain(copies);
  expect(event.error.stack ?? '').not.toContain(STEWARD_ROOT);
  expect(event.error.stack ?? '').not.toContain('file://');
  return event;
}

/** The healthy plugin still answers, and every plugin's health is reported. */
async function expectHostServes(): Promise<void> {
  const { outcome, captured } = await invoke('echo', { text: 'x' });
  expect(outcome).toMatchObject({ ok: true, output: { text: 'x' } });
  expect(captured).toEqual([]);
  for (const name of PLUGINS) {
    const health = host.health(name);
    expect(health?.name).toBe(name);
    expect(STATES).toContain(health?.state);
    expect(health?.metrics.successes).toBeGreaterThanOrEqual(0);
  }
  expect(host.health('echo')?.state).toBe('INITIALIZED');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'steward-hostile-host-'));
  library = await makeLibrary(root);
  for (const name of PLUGINS) cpSync(join(FIXTURES, name), join(library.paths.plugins, name), { recursive: true });
  secretMarker = `host-secret-${uniqueTag()}`;
  secretFile = join(root, 'secret.txt');
  writeFileSync(secretFile, `${secretMarker}\n`);
  symlinkSync(secretFile, join(library.paths.plugins, 'symlink-host-path', 'data', 'secret.txt'));
  copies = join(root, 'tmp');
  mkdirSync(copies);
  process.env.TMPDIR = copies;
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = new PluginHost({
    library,
    env: {},
    backend: 'bubblewrap',
    crashLimit: 3,
    crashWindowMs: 60_000,
    sink: { capture: (event) => void events.push(event) },
  });
  host.load();
});

afterAll(async () => {
  if (!closed) await host.close();
  await new Promise((resolve) => server.close(resolve));
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(root, { recursive: true, force: true });
});

describe('one plugin host against every hostile plugin', () => {
  it('discovers every fixture as LOADED and knows no other plugin', async () => {
    expect(host.list().map((h) => [h.name, h.state])).toEqual([...PLUGINS].sort().map((name) => [name, 'LOADED']));
    expect(await host.invoke('no-such-plugin', {})).toBeUndefined();
    await expectHostServes();
  });

  it('infinite-loop: a timeout that kills the worker', async () => {
    const { outcome, captured } = await invoke('infinite-loop', {});
    expect(outcome).toMatchObject({ ok: false, kind: 'timeout', error: { type: 'Timeout', message: 'execute did not finish within 2000 ms' } });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(2000);
    expect(outcome.durationMs).toBeLessThan(4000);
    expectOneEvent(captured, 'infinite-loop', 'timeout', 'fatal', 'Timeout');
    expect(host.health('infinite-loop')).toMatchObject({ state: 'LOADED', reason: 'worker lost: Timeout', metrics: { timeouts: 1, crashes: 0, errors: 0 } });
    await expectHostServes();
  });

  it("fork-storm: held to the worker's pids cap; the children live as long as the worker", async () => {
    const { outcome, captured } = await invoke('fork-storm', { count: 2000, tag: tags.fork });
    expect(outcome.ok).toBe(true);
    const output = (outcome.ok ? outcome.output : {}) as { spawned: number; failed: number; codes: string[] };
    expect(output.spawned).toBeGreaterThan(0);
    expect(output.spawned).toBeLessThan(256);
    expect(output.failed).toBe(2000 - output.spawned);
    expect(output.codes).toEqual(['EAGAIN']);
    expect(captured).toEqual([]);
    expect(psArgs().filter((line) => line.includes(`sleep 60 ${tags.fork}`))).toHaveLength(output.spawned);
    expect(host.health('fork-storm')).toMatchObject({ state: 'INITIALIZED', metrics: { successes: 1 } });
    await expectHostServes();
  });

  it('alloc-4gb: an OOM kill is a crash', async () => {
    const { outcome, captured } = await invoke('alloc-4gb', {});
    expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'OutOfMemory' } });
    expect(outcome.ok ? '' : outcome.error.message).toMatch(/^the plugin's worker ended \(oom, /);
    expectOneEvent(captured, 'alloc-4gb', 'crash', 'fatal', 'OutOfMemory');
    expect(host.health('alloc-4gb')).toMatchObject({ state: 'LOADED', reason: 'worker lost: OutOfMemory', metrics: { crashes: 1 } });
    await expectHostServes();
  });

  it("loopback-connect: the host's loopback is out of reach", async () => {
    const { port } = server.address() as AddressInfo;
    const { outcome, captured } = await invoke('loopback-connect', { port });
    expect(outcome).toMatchObject({ ok: true, output: { connected: false, code: 'ECONNREFUSED' } });
    expect(captured).toEqual([]);
    expect(connections).toBe(0);
    await expectHostServes();
  });

  it('write-outside: writes never reach the host, not even the library', async () => {
    const config = join(library.root, CONFIG_FILE);
    const original = readFileSync(config, 'utf8');
    const fresh = join(root, 'outside', 'pwned.txt');
    for (const path of [fresh, config]) {
      const { outcome, captured } = await invoke('write-outside', { path });
      // The plugin believes it wrote: into the sandbox's own throw-away file system.
      expect(outcome).toMatchObject({ ok: true, output: { wrote: path } });
      expect(captured).toEqual([]);
    }
    expect(existsSync(join(root, 'outside'))).toBe(false);
    expect(readFileSync(config, 'utf8')).toBe(original);
    await expectHostServes();
  });

  it('read-library-file: the library is out of sight (ENOENT), a plugin error', async () => {
    const config = join(library.root, CONFIG_FILE);
    const neighbour = join(library.paths.plugins, 'echo', 'plugin.json');
    for (const path of [config, neighbour]) {
      const { outcome, captured } = await invoke('read-library-file', { path });
      expect(outcome).toMatchObject({ ok: false, kind: 'plugin-error', error: { type: 'Error', code: 'ENOENT', message: `ENOENT: no such file or directory, open '${path}'` } });
      expect(JSON.stringify(outcome)).not.toContain(readFileSync(path, 'utf8').slice(0, 40).trim());
      const event = expectOneEvent(captured, 'read-library-file', 'plugin-error', 'error', 'Error');
      expect(event.error.code).toBe('ENOENT');
      // The plugin's own frame, relative to the plugin root.
      expect(event.error.stack).toMatch(/\(src\/index\.js:\d+:\d+\)/);
    }
    expect(host.health('read-library-file')).toMatchObject({ state: 'INITIALIZED', metrics: { errors: 2, crashes: 0 } });
    await expectHostServes();
  });

  it("setsid-escape: the escapee stays inside the worker's sandbox", async () => {
    const { outcome, captured } = await invoke('setsid-escape', { tag: tags.setsid });
    expect(outcome).toMatchObject({ ok: true, output: { escaped: true } });
    expect(captured).toEqual([]);
    // It lives as long as the worker does (checked gone after close()).
    expect(psArgs().filter((line) => line.includes(`sleep 299 ${tags.setsid}`))).toHaveLength(1);
    await expectHostServes();
  });

  it('stdout-50mb: killed at the output limit, a crash', async () => {
    const { outcome, captured } = await invoke('stdout-50mb', {});
    expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'OutputLimitExceeded' } });
    expectOneEvent(captured, 'stdout-50mb', 'crash', 'fatal', 'OutputLimitExceeded');
    expect(host.health('stdout-50mb')).toMatchObject({ state: 'LOADED', reason: 'worker lost: OutputLimitExceeded', metrics: { crashes: 1 } });
    await expectHostServes();
  });

  it('symlink-host-path: the link to a host file is not in the working copy', async () => {
    for (const input of [{}, { path: secretFile }]) {
      const { outcome, captured } = await invoke('symlink-host-path', input);
      const path = 'path' in input ? input.path : 'data/secret.txt';
      expect(outcome).toMatchObject({ ok: false, kind: 'plugin-error', error: { type: 'Error', code: 'ENOENT', message: `ENOENT: no such file or directory, open '${path}'` } });
      expectOneEvent(captured, 'symlink-host-path', 'plugin-error', 'error', 'Error');
      expect(JSON.stringify([outcome, captured])).not.toContain(secretMarker);
    }
    await expectHostServes();
  });

  it('exit-mid-execute: process.exit(0) in a call is a crash', async () => {
    const { outcome, captured } = await invoke('exit-mid-execute', {});
    expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'WorkerExited', message: "the plugin's worker ended (ok, exit 0)" } });
    expectOneEvent(captured, 'exit-mid-execute', 'crash', 'fatal', 'WorkerExited');
    expect(host.health('exit-mid-execute')).toMatchObject({ state: 'LOADED', reason: 'worker lost: WorkerExited', metrics: { crashes: 1 } });
    await expectHostServes();
  });

  it("unhandled-rejection: the worker dies of it, a crash with the rejection's stack", async () => {
    const { outcome, captured } = await invoke('unhandled-rejection', {});
    expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'Error', message: 'unhandledRejection: boom' } });
    const event = expectOneEvent(captured, 'unhandled-rejection', 'crash', 'fatal', 'Error');
    expect(event.error.stack).toMatch(/^Error: boom\n {4}at Object\.execute \(src\/index\.js:4:\d+\)/);
    expect(host.health('unhandled-rejection')).toMatchObject({ state: 'LOADED', metrics: { crashes: 1 } });
    await expectHostServes();
  });

  it('throw-non-error: a thrown string or object is a plugin error with its type', async () => {
    const thrownString = await invoke('throw-non-error', {});
    expect(thrownString.outcome).toMatchObject({ ok: false, kind: 'plugin-error', error: { type: 'thrown string', message: 'plain string thrown' } });
    expectOneEvent(thrownString.captured, 'throw-non-error', 'plugin-error', 'error', 'thrown string');
    const thrownObject = await invoke('throw-non-error', { variant: 'object' });
    expect(thrownObject.outcome).toMatchObject({ ok: false, kind: 'plugin-error', error: { type: 'thrown object', message: '{"code":42}' } });
    expectOneEvent(thrownObject.captured, 'throw-non-error', 'plugin-error', 'error', 'thrown object');
    // A throw is the plugin's answer: its worker lives on.
    expect(host.health('throw-non-error')).toMatchObject({ state: 'INITIALIZED', metrics: { errors: 2, crashes: 0 } });
    await expectHostServes();
  });

  it('bad-output: output that breaks interface.output is invalid-output', async () => {
    const { outcome, captured } = await invoke('bad-output', {});
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'invalid-output',
      error: { type: 'OutputSchemaViolation', message: 'output does not match interface.output: /count must be integer' },
    });
    expectOneEvent(captured, 'bad-output', 'invalid-output', 'error', 'OutputSchemaViolation');
    expect(host.health('bad-output')).toMatchObject({ state: 'INITIALIZED', metrics: { errors: 1 } });
    await expectHostServes();
  });

  it('three crashes within the window make a plugin FAILED; it is then never started; a reload brings it back', async () => {
    // A fresh entry: the crash count starts at zero.
    expect(await host.reload('exit-mid-execute')).toMatchObject({ state: 'LOADED', metrics: { crashes: 0 } });
    for (let crash = 1; crash <= 3; crash++) {
      const { outcome, captured } = await invoke('exit-mid-execute', {});
      expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'WorkerExited' } });
      expectOneEvent(captured, 'exit-mid-execute', 'crash', 'fatal', 'WorkerExited');
      expect(host.health('exit-mid-execute')?.state).toBe(crash < 3 ? 'LOADED' : 'FAILED');
    }
    const failed = host.health('exit-mid-execute');
    expect(failed?.reason).toMatch(/^3 crashes within 60 s \(last: WorkerExited: the plugin's worker ended \(ok, exit 0\)\)$/);
    expect(failed?.metrics.crashes).toBe(3);

    const copiesBefore = readdirSync(copies).sort();
    const eventsBefore = events.length;
    for (let call = 0; call < 2; call++) {
      const refused = await host.invoke('exit-mid-execute', {});
      expect(refused).toMatchObject({ ok: false, kind: 'not-runnable', error: { type: 'FAILED', message: failed?.reason }, durationMs: 0 });
    }
    // Nothing was started: no working copy, no worker, no event, no metric.
    expect(readdirSync(copies).sort()).toEqual(copiesBefore);
    expect(processesAt(copies).filter(({ line }) => line.includes('exit-mid-execute'))).toEqual([]);
    expect(events.length).toBe(eventsBefore);
    expect(host.health('exit-mid-execute')?.metrics.crashes).toBe(3);

    const reloaded = await host.reload('exit-mid-execute');
    expect(reloaded).toMatchObject({ state: 'LOADED', reason: 'reloaded by a maintainer', metrics: { crashes: 0 } });
    expect(reloaded?.history.map((h) => h.state)).toContain('FAILED');
    // Back in service: it runs (and crashes) again.
    const again = await invoke('exit-mid-execute', {});
    expect(again.outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'WorkerExited' } });
    expect(host.health('exit-mid-execute')).toMatchObject({ state: 'LOADED', metrics: { crashes: 1 } });
    await expectHostServes();
  });

  it('the sink got one event per failed call, and no other', () => {
    expect(failedCalls).toBeGreaterThan(10);
    expect(events.length).toBe(failedCalls);
    for (const event of events) {
      expect(errorEventSchema.safeParse(event).success).toBe(true);
      expect(event.invocation?.operation).toBe('execute');
    }
  });

  it('no process survives close(): no worker, no escapee, no fork-storm child, no cgroup, no working copy', async () => {
    expect(processesAt(copies).length).toBeGreaterThan(0);
    noteCgroups();
    expect(cgroups.size).toBeGreaterThan(0);
    await host.close();
    closed = true;
    expect(
      await until(() => processesAt(copies).length === 0, 2000),
      processesAt(copies)
        .map((p) => p.line)
        .join('\n'),
    ).toBe(true);
    expect(await until(() => !psArgs().some((line) => line.includes(tags.fork) || line.includes(tags.setsid)), 2000)).toBe(true);
    for (const id of cgroups) {
      for (const controller of ['memory', 'pids']) {
        const dir = join(CGROUP, controller, 'steward', id);
        expect(await until(() => !existsSync(dir), 2000), `${dir} is left over`).toBe(true);
      }
    }
    expect(readdirSync(copies).filter((entry) => entry.startsWith('steward-wc-'))).toEqual([]);
  });
});

describe('a host with a slow event sink', () => {
  it('counts a timeout once: one event, no extra "background" crash', async () => {
    const seen: ErrorEvent[] = [];
    // An ingest queue is slower than a file: this sink answers only once the timed-out
    // worker is gone and its working copy removed.
    const slow = new PluginHost({
      library,
      env: {},
      backend: 'bubblewrap',
      sink: {
        capture: async (event) => {
          seen.push(event);
          await until(() => !readdirSync(copies).some((entry) => entry.startsWith('steward-wc-')), 3000);
        },
      },
    });
    slow.load(['infinite-loop', 'echo']);
    try {
      const outcome = await slow.invoke('infinite-loop', {});
      expect(outcome).toMatchObject({ ok: false, kind: 'timeout' });
      expect(seen.map((e) => `${e.invocation?.operation ?? '?'}:${e.error.type}`)).toEqual(['execute:Timeout']);
      expect(slow.health('infinite-loop')).toMatchObject({ state: 'LOADED', metrics: { timeouts: 1, crashes: 0 } });
    } finally {
      await slow.close();
    }
  });
});
