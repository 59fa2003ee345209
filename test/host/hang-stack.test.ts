// A call that hits its time limit records where it was stuck: real plugins (Node and
// Python) in temp dirs, the real host and sandbox, the event the host captures, and the
// reproduction path (invokeOnce) the Plugin Agent and the evals run.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import type { Outcome } from '../../orchestrator/host/types.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { fingerprint } from '../../orchestrator/ingest/fingerprint.ts';
import type { CaptureSink } from '../../orchestrator/ingest/sink.ts';
import { normaliseFrames, parseStack } from '../../orchestrator/ingest/stack.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';

const LIMIT_MS = 1500;
const ONCE_LIMIT_MS = 3000;
const limits = { timeoutMs: LIMIT_MS, memoryMb: 512 };

const NODE_LOOP = [
  '// A synchronous loop: no await, so nothing but V8 itself can interrupt it.',
  'export function spin(input) {',
  '  let n = 0;',
  '  while (true) {',
  '    n += input.step ?? 1;',
  '  }',
  '}',
  '',
].join('\n');

const NODE_ENTRY = [
  "import { spin } from './loop.js';",
  'export default {',
  "  name: 'node-hang',",
  '  async execute(input) {',
  "    if (input.mode === 'sync') return spin(input);",
  "    if (input.mode === 'async') return new Promise(() => undefined);",
  '    return { text: input.text ?? null };',
  '  },',
  '};',
  '',
].join('\n');

const PY_LOOP = ['def spin(step):', '    n = 0', '    while True:', '        n += step', ''].join('\n');

const PY_MAIN = [
  '#!/usr/bin/env python3',
  'import json',
  'import sys',
  'import threading',
  'import time',
  '',
  'from loop import spin',
  '',
  '',
  'def main():',
  "    # A second thread: the stack must be the plugin thread's alone.",
  '    threading.Thread(target=lambda: time.sleep(60), daemon=True).start()',
  '    request = json.loads(sys.stdin.read())',
  '    if request["op"] == "execute" and request["input"].get("mode") == "sync":',
  '        spin(1)',
  '    sys.stdout.write(json.dumps({"text": "ok"}))',
  '    return 0',
  '',
  '',
  'if __name__ == "__main__":',
  '    sys.exit(main())',
  '',
].join('\n');

class MemorySink implements CaptureSink {
  readonly events: ErrorEvent[] = [];
  capture(event: ErrorEvent): void {
    this.events.push(event);
  }
}

let root: string;
let library: Library;
let host: PluginHost;
const sink = new MemorySink();

beforeAll(async () => {
  // One library for the whole file (the helpers' temp dirs go after each test).
  root = mkdtempSync(join(tmpdir(), 'steward-hang-'));
  library = await makeLibrary(root);
  const io = { input: { type: 'object' }, output: { type: 'object' } };
  writePlugin(join(library.paths.plugins, 'node-hang'), 'node-hang', {
    manifest: manifestFor('node-hang', { limits, interface: io }),
    files: { 'src/index.js': NODE_ENTRY, 'src/loop.js': NODE_LOOP },
  });
  const py = writePlugin(join(library.paths.plugins, 'py-hang'), 'py-hang', {
    manifest: manifestFor('py-hang', { runtime: 'python', entry: 'src/main.py', limits, interface: io }),
    files: { 'src/main.py': PY_MAIN, 'src/loop.py': PY_LOOP },
  });
  chmodSync(join(py, 'src/main.py'), 0o755);
  host = new PluginHost({ library, env: {}, sink, crashLimit: 100 });
  host.load(['node-hang', 'py-hang']);
});

afterAll(async () => {
  await host?.close();
  rmSync(root, { recursive: true, force: true });
});

async function hostCall(name: string, input: unknown): Promise<{ outcome: Outcome; event: ErrorEvent | undefined }> {
  const before = sink.events.length;
  const outcome = await host.invoke(name, input);
  if (!outcome) throw new Error(`no plugin ${name}`);
  return { outcome, event: sink.events.slice(before).at(-1) };
}

/** Whether a line number is the loop's: its `while` line or the line in it. */
function inLoop(source: string): (line: unknown) => boolean {
  const head = source.split('\n').findIndex((text) => /^\s*while/.test(text)) + 1;
  return (line) => line === head || line === head + 1;
}

/** The innermost frame of the plugin's own code, as grouping and the fixers read it. */
function topInApp(stack: string, plugin: string): { file: string; line: number | null; function: string | null } | undefined {
  const frame = normaliseFrames(parseStack(stack), { plugin }).find((f) => f.inApp);
  return frame && { file: frame.file, line: frame.line, function: frame.function };
}

describe('a Node plugin stuck in a synchronous loop', () => {
  it('fails at its limit with a V8 stack whose top in-app frame is the loop, in the event too', async () => {
    const { outcome, event } = await hostCall('node-hang', { mode: 'sync' });
    expect(outcome).toMatchObject({ ok: false, kind: 'timeout', error: { type: 'Timeout', message: `execute did not finish within ${LIMIT_MS} ms` } });
    if (outcome.ok) return;
    // The limit, the stack, the abort's grace: not noticeably more.
    expect(outcome.durationMs).toBeLessThan(LIMIT_MS + 1500);
    const stack = outcome.error.stack ?? '';
    // A line of the loop (V8 checks for interrupts at its head), then its caller, and no frame of the host's.
    expect(stack).toMatch(/^Timeout: execute did not finish within 1500 ms\n {4}at spin \(src\/loop\.js:[45]:\d+\)\n {4}at Object\.execute \(src\/index\.js:5:\d+\)$/);
    expect(stack).not.toContain('node-plugin');
    expect(event?.error.stack).toBe(stack);
    expect(event).toMatchObject({ level: 'fatal', error: { type: 'Timeout' }, tags: { failure: 'timeout' } });
    expect(topInApp(event?.error.stack ?? '', 'node-hang')).toEqual({ file: 'src/loop.js', line: expect.toSatisfy(inLoop(NODE_LOOP)), function: 'spin' });
  });

  it('groups two hangs in the same loop together', async () => {
    const first = await hostCall('node-hang', { mode: 'sync', step: 1 });
    const second = await hostCall('node-hang', { mode: 'sync', step: 2 });
    const ids = [first, second].map(({ event }) => {
      if (!event) throw new Error('no event');
      const frames = normaliseFrames(parseStack(event.error.stack ?? ''), { plugin: 'node-hang' });
      return fingerprint({ plugin: event.plugin, type: event.error.type, message: event.error.message, frames });
    });
    expect(ids[0]?.basis).toBe('frames');
    expect(ids[0]?.fingerprint).toBe(ids[1]?.fingerprint);
  });

  it('says so when the call only awaits a promise that never settles', async () => {
    const { outcome, event } = await hostCall('node-hang', { mode: 'async' });
    expect(outcome).toMatchObject({ ok: false, kind: 'timeout', error: { type: 'Timeout' } });
    if (outcome.ok) return;
    expect(outcome.error.message).toMatch(/^execute did not finish within 1500 ms; no code was running at the limit: the call was waiting/);
    expect(outcome.error.stack).toBeUndefined();
    expect(event?.error.message).toBe(outcome.error.message);
  });

  it('answers a normal call as before, with a fresh worker after the hangs', async () => {
    const { outcome, event } = await hostCall('node-hang', { mode: 'fine', text: 'a' });
    expect(outcome).toMatchObject({ ok: true, output: { text: 'a' } });
    expect(event).toBeUndefined();
  });
});

describe('a Python plugin stuck in `while True:`', () => {
  it('fails at its limit with a Python traceback of the plugin thread, the loop last', async () => {
    const { outcome, event } = await hostCall('py-hang', { mode: 'sync' });
    expect(outcome).toMatchObject({ ok: false, kind: 'timeout', error: { type: 'Timeout', message: 'did not finish within the time limit' } });
    if (outcome.ok) return;
    expect(outcome.durationMs).toBeLessThan(LIMIT_MS + 1000);
    // The loop's `while` or its body, wherever the dump caught it.
    expect(outcome.error.stack).toMatch(
      new RegExp(
        [
          'Traceback \\(most recent call last\\):',
          '  File "src/main.py", line 21, in <module>',
          '  File "src/main.py", line 15, in main',
          '  File "src/loop.py", line [34], in spin',
          'Timeout: did not finish within the time limit',
        ].join('\n'),
      ),
    );
    expect(event?.error.stack).toBe(outcome.error.stack);
    expect(topInApp(event?.error.stack ?? '', 'py-hang')).toEqual({ file: 'src/loop.py', line: expect.toSatisfy(inLoop(PY_LOOP)), function: 'spin' });
  });

  it('answers a normal call as before', async () => {
    const { outcome } = await hostCall('py-hang', { mode: 'fine' });
    expect(outcome).toMatchObject({ ok: true, output: { text: 'ok' } });
  });
});

describe('the reproduction path (invokeOnce, in the sandbox)', () => {
  for (const [plugin, top, message] of [
    ['node-hang', { file: 'src/loop.js', line: expect.toSatisfy(inLoop(NODE_LOOP)), function: 'spin' }, 'did not finish within the time limit'],
    ['py-hang', { file: 'src/loop.py', line: expect.toSatisfy(inLoop(PY_LOOP)), function: 'spin' }, 'did not finish within the time limit'],
  ] as const) {
    it(`${plugin}: a hang's stack points at the loop, and the call still ends at its limit`, async () => {
      const dir = join(library.paths.plugins, plugin);
      // Here one process is one call, and Node's start counts against the limit: a longer one, so that a loaded machine still leaves the watchdog its time.
      const loaded = loadManifest(dir, plugin);
      const manifest = { ...loaded, limits: { ...loaded.limits, timeoutMs: ONCE_LIMIT_MS } };
      const copy = createWorkingCopy(dir, { quotaMb: 64 });
      try {
        const outcome = await invokeOnce({ manifest, copy, request: { op: 'execute', input: { mode: 'sync' } }, env: {} });
        expect(outcome).toMatchObject({ ok: false, kind: 'timeout', error: { type: 'Timeout', message } });
        if (outcome.ok) return;
        expect(outcome.durationMs).toBeLessThan(ONCE_LIMIT_MS + 1000);
        expect(outcome.error.stack).not.toContain(copy.dir);
        expect(topInApp(outcome.error.stack ?? '', plugin)).toEqual(top);
        const fine = await invokeOnce({ manifest, copy, request: { op: 'execute', input: { mode: 'fine', text: 'a' } }, env: {} });
        expect(fine.ok).toBe(true);
      } finally {
        copy.dispose();
      }
    });
  }
});
