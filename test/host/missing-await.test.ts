// A missing `await` on an async helper that fails: production (the long-lived host, as
// `steward plugin run` and `steward host` run it) and the reproduction (the process
// protocol the Plugin Agent's reproduce node and the evals run, through checkCall and
// invokeOnce) must fail alike. Real plugin in a temp dir, real host and sandbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCall } from '../../agents/plugin-agent/checks.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import type { CaptureSink } from '../../orchestrator/ingest/sink.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';

const ENTRY = [
  "import { check } from './check.js';",
  'export default {',
  "  name: 'tally',",
  '  execute(input) {',
  '    // The defect: check() is async and its rejection is never awaited.',
  '    check(input);',
  "    if (input.late) setImmediate(() => setImmediate(() => { throw new Error('late'); }));",
  '    return { count: (input.items ?? []).length };',
  '  },',
  '};',
  '',
].join('\n');

const CHECK = [
  'export async function check(input) {',
  '  if (input.wait) await new Promise((resolve) => setImmediate(resolve));',
  "  if (!Array.isArray(input.items)) throw new TypeError('items must be an array');",
  '}',
  '',
].join('\n');

/** Keeps the events and lets a test wait for the next one, rather than sleep. */
class WaitingSink implements CaptureSink {
  readonly events: ErrorEvent[] = [];
  private waiters: (() => void)[] = [];
  capture(event: ErrorEvent): void {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  }
  async until(count: number, ms: number): Promise<ErrorEvent[]> {
    const deadline = Date.now() + ms;
    while (this.events.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, deadline - Date.now()).unref();
      });
    }
    return this.events;
  }
}

let root: string;
let library: Library;
let host: PluginHost;
const sink = new WaitingSink();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'steward-await-'));
  library = await makeLibrary(root);
  writePlugin(join(library.paths.plugins, 'tally'), 'tally', {
    manifest: manifestFor('tally', { interface: { input: { type: 'object' }, output: { type: 'object' } }, limits: { timeoutMs: 10_000, memoryMb: 512 } }),
    files: { 'src/index.js': ENTRY, 'src/check.js': CHECK },
  });
  host = new PluginHost({ library, env: {}, sink, crashLimit: 100 });
  host.load(['tally']);
});

afterAll(async () => {
  await host?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The reproduce node's own check of a captured call, in a fresh working copy. */
async function reproduce(input: unknown): Promise<Awaited<ReturnType<typeof checkCall>>> {
  const dir = join(library.paths.plugins, 'tally');
  const copy = createWorkingCopy(dir, { quotaMb: 64 });
  try {
    return await checkCall(loadManifest(dir, 'tally'), copy, { op: 'execute', input }, {}, new AbortController().signal);
  } finally {
    copy.dispose();
  }
}

describe('a missing await on an async helper that rejects', () => {
  for (const [name, input] of [
    ['at once', { items: 'a,b' }],
    ['after a turn of the event loop', { items: 'a,b', wait: true }],
  ] as const) {
    it(`${name}: the host fails the call, with the input in its event, and the reproduction fails with the same error`, async () => {
      const before = sink.events.length;
      const outcome = await host.invoke('tally', input);
      expect(outcome).toMatchObject({ ok: false, kind: 'crash', error: { type: 'TypeError', message: 'unhandledRejection: items must be an array' } });
      const [event] = sink.events.slice(before);
      expect(event).toMatchObject({ level: 'fatal', error: { type: 'TypeError' }, invocation: { operation: 'execute', input } });
      expect(event?.error.stack).toMatch(/^TypeError: items must be an array\n {4}at check \(src\/check\.js:3:\d+\)/);

      const check = await reproduce(input);
      expect(check).toMatchObject({ ok: false, error: { type: event?.error.type, message: 'items must be an array' } });
    });
  }

  it('a good input is answered, by both', async () => {
    expect(await host.invoke('tally', { items: [1, 2] })).toMatchObject({ ok: true, output: { count: 2 } });
    expect(await reproduce({ items: [1, 2] })).toMatchObject({ ok: true });
  });

  it('an error thrown only after the answer is still reported, once, as a crash of the worker', async () => {
    const before = sink.events.length;
    expect(await host.invoke('tally', { items: [], late: true })).toMatchObject({ ok: true, output: { count: 0 } });
    const events = (await sink.until(before + 1, 20_000)).slice(before);
    expect(events.map((e) => `${e.invocation?.operation}:${e.error.type}:${e.error.message}`)).toEqual(['background:Error:uncaughtException: late']);
    expect(host.health('tally')?.metrics.crashes).toBeGreaterThanOrEqual(3);
  });
});
