import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { eventOf } from '../helpers/ingest.ts';
import { runsFixture } from './fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('steward start as a service', () => {
  it('answers /healthz, /readyz and /metrics, and serves ingest on its own port apart from the plugin API', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    await f.dispatch();
    const args = ['--library', f.library.root, 'start', '--port', '0', '--ingest-port', '0', '--no-tests'];
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    // Ready once the worker has printed its queues: the last lines start prints.
    const started = new Promise<void>((resolveStarted, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/\n {2}runs: /.test(out)) resolveStarted();
      });
      child.once('exit', (code) => reject(new Error(`start exited with ${String(code)}: ${out}`)));
    });
    await started;
    const api = /steward host on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1] ?? '';
    const ingest = /ingest on (http:\/\/[\d.]+:\d+), apart from the plugin API/.exec(out)?.[1] ?? '';
    expect(api).not.toBe('');
    expect(ingest).not.toBe('');
    expect(ingest).not.toBe(api);

    expect(await (await fetch(`${api}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${api}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { redis: 'ok', 'run store': 'ok', worker: 'ok' } });

    const families = parsePrometheusTextFormat(await (await fetch(`${api}/metrics`)).text());
    const family = (name: string) => families.find((m) => m.name === name);
    expect(family('steward_queue_jobs')?.metrics.map((m) => m.labels?.queue)).toEqual(expect.arrayContaining(['errors', 'triage', 'runs', 'errors-dead']));
    // The one run dispatched before start is counted once, in whatever state it has reached.
    expect((family('steward_runs')?.metrics ?? []).reduce((n, m) => n + Number(m.value), 0)).toBe(1);
    expect(family('steward_host_invocations')?.type).toBe('GAUGE');
    // Nothing was proposed in this library yet: each stage is reported, at zero.
    expect(Object.fromEntries((family('steward_fixes')?.metrics ?? []).map((m) => [m.labels?.stage, Number(m.value)]))).toEqual({
      proposed: 0,
      approved: 0,
      rejected: 0,
      merged: 0,
    });
    expect(family('steward_sandbox_runs')?.help).toMatch(/Sandboxed runs/);

    // Ingest answers on its port only; the plugin API (and its reload and execute) never does.
    const token = readFileSync(join(f.library.paths.state, 'ingest-token'), 'utf8').trim();
    const send = (base: string) =>
      fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(eventOf('alpha', { fn: 'parse' })),
      });
    expect((await send(ingest)).status).toBe(202);
    expect((await send(api)).status).toBe(404);
    const hostToken = readFileSync(join(f.library.paths.state, 'host-token'), 'utf8').trim();
    expect((await fetch(`${ingest}/v1/plugins`, { headers: { authorization: `Bearer ${hostToken}` } })).status).toBe(404);
    expect((await fetch(`${api}/v1/plugins`, { headers: { authorization: `Bearer ${hostToken}` } })).status).toBe(200);
    expect((await fetch(`${ingest}/healthz`)).status).toBe(200);

    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('start --json prints JSON lines only: started, each run state change, stopping', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), '--library', f.library.root, 'start', '--port', '0', '--no-tests', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const w of [...waiters]) w();
    });
    // Complete lines only: a chunk may end mid-line.
    const lines = (): Record<string, unknown>[] =>
      out
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const until = (done: () => boolean) =>
      new Promise<void>((resolveUntil, reject) => {
        const check = () => {
          if (!done()) return;
          waiters.splice(waiters.indexOf(check), 1);
          resolveUntil();
        };
        waiters.push(check);
        child.once('exit', (code) => reject(new Error(`start exited with ${String(code)}: ${out}`)));
        check();
      });
    await until(() => out.includes('"event":"started"'));
    const [started] = lines();
    expect(started).toMatchObject({
      event: 'started',
      api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      console: expect.stringMatching(/\/console$/),
      worker: expect.any(String),
    });
    expect((started?.queues as string[]).some((q) => q.startsWith('runs: '))).toBe(true);
    // A run for a group that does not exist ends failed; each change is one line.
    const run = await f.dispatch();
    await until(() => lines().some((l) => l.event === 'run' && l.run === run.id && l.state === 'failed'));
    expect(
      lines()
        .filter((l) => l.event === 'run' && l.run === run.id)
        .map((l) => l.state),
    ).toEqual(['running', 'failed']);
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines().at(-1)).toMatchObject({ event: 'stopping' });
  }, 60_000);
});
