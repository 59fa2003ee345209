import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import { errorEventSchema } from '../../orchestrator/ingest/event.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A library with a working plugin, one that throws, one with a broken manifest, one that needs a secret. */
async function fixtureLibrary(): Promise<Library> {
  const library = await makeLibrary();
  const dir = (name: string): string => join(library.paths.plugins, name);
  writePlugin(dir('echo'), 'echo', {
    manifest: manifestFor('echo', {
      interface: {
        input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
        output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      },
    }),
  });
  writePlugin(dir('thrower'), 'thrower');
  writeFileSync(join(dir('thrower'), 'src/index.js'), "export default { name: 'thrower', execute(input) { throw new TypeError(`bad ${input.text}`); } };\n");
  writePlugin(dir('broken'), 'broken', { manifest: manifestFor('broken', { version: 'one' }) });
  writePlugin(dir('needs-key'), 'needs-key', {
    manifest: manifestFor('needs-key', { env: [{ name: 'NEEDS_KEY_TEST_VALUE', required: true, secret: true }] }),
  });
  return library;
}

async function serve(library: Library): Promise<{ url: string; host: PluginHost }> {
  const host = new PluginHost({ library, env: {} });
  host.load();
  const server = createHostServer(host, { token: HOST_TOKEN });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await host.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, host };
}

const HOST_TOKEN = 'host-token-for-tests';

async function call(url: string, method: string, path: string, body?: unknown, token: string | null = HOST_TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('host HTTP API', () => {
  it('executes, validates both sides, and maps failures to statuses', async () => {
    const library = await fixtureLibrary();
    const { url } = await serve(library);

    const ok = await call(url, 'POST', '/v1/plugins/echo/execute', { input: { text: 'hi' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, output: { text: 'hi' } });

    const invalid = await call(url, 'POST', '/v1/plugins/echo/execute', { input: { text: 5 } });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ ok: false, kind: 'invalid-input', error: { type: 'InputSchemaViolation' } });

    const thrown = await call(url, 'POST', '/v1/plugins/thrower/execute', { input: { text: 'x' } });
    expect(thrown.status).toBe(422);
    expect(thrown.json).toMatchObject({ kind: 'plugin-error', error: { type: 'TypeError', message: 'bad x' } });

    expect((await call(url, 'POST', '/v1/plugins/broken/execute', { input: {} })).status).toBe(503);
    expect((await call(url, 'POST', '/v1/plugins/needs-key/execute', { input: {} })).status).toBe(503);
    expect((await call(url, 'POST', '/v1/plugins/nope/execute', { input: {} })).status).toBe(404);
    expect((await call(url, 'POST', '/v1/plugins/echo/execute', '{not json')).status).toBe(400);
    expect((await call(url, 'POST', '/v1/plugins/echo/execute', JSON.stringify({ input: { text: 'x'.repeat(2 * 1024 * 1024) } }))).status).toBe(413);
    expect((await call(url, 'DELETE', '/v1/plugins/echo/health')).status).toBe(405);

    // Every failed invocation is an error event in the state dir, valid per the spec.
    const events = readFileSync(join(library.paths.state, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => errorEventSchema.parse(JSON.parse(l)));
    expect(events.map((e) => [e.plugin, e.level, e.error.type])).toEqual([
      ['echo', 'warning', 'InputSchemaViolation'],
      ['thrower', 'error', 'TypeError'],
    ]);
    expect(events[1]?.error.stack).toMatch(/at Object\.execute \(src\/index\.js:1:\d+\)/);
    expect(events[1]?.invocation).toEqual({ operation: 'execute', input: { text: 'x' } });
  });

  it('answers health 200 for every known plugin in any state, 404 otherwise, and lists them', async () => {
    const { url } = await serve(await fixtureLibrary());
    const states: Record<string, unknown> = {};
    for (const name of ['echo', 'thrower', 'broken', 'needs-key']) {
      const health = await call(url, 'GET', `/v1/plugins/${name}/health`);
      expect(health.status).toBe(200);
      states[name] = health.json.state;
    }
    expect(states).toEqual({ echo: 'LOADED', thrower: 'LOADED', broken: 'FAILED', 'needs-key': 'UNAVAILABLE' });
    expect((await call(url, 'GET', '/v1/plugins/nope/health')).status).toBe(404);
    const list = await call(url, 'GET', '/v1/plugins');
    expect((list.json.plugins as { name: string }[]).map((p) => p.name)).toEqual(['broken', 'echo', 'needs-key', 'thrower']);
    const broken = await call(url, 'GET', '/v1/plugins/broken/health');
    expect(broken.json.reason).toContain('plugins/broken/plugin.json: $.version');
  });

  it('keeps answering health and serving calls while a plugin reloads', async () => {
    const library = await fixtureLibrary();
    const { url } = await serve(library);
    await call(url, 'POST', '/v1/plugins/echo/execute', { input: { text: 'warm' } });
    const work: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 10; i++) {
      work.push(call(url, 'POST', '/v1/plugins/echo/reload'));
      work.push(call(url, 'GET', '/v1/plugins/echo/health'));
      work.push(call(url, 'POST', '/v1/plugins/echo/execute', { input: { text: `n${i}` } }));
    }
    const results = await Promise.all(work);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const health = await call(url, 'GET', '/v1/plugins/echo/health');
    expect((health.json.history as { reason?: string }[]).some((h) => h.reason === 'reloaded by a maintainer')).toBe(true);
  });

  it('reload picks up a fixed manifest', async () => {
    const library = await fixtureLibrary();
    const { url } = await serve(library);
    writeFileSync(join(library.paths.plugins, 'broken', 'plugin.json'), JSON.stringify(manifestFor('broken')));
    const reloaded = await call(url, 'POST', '/v1/plugins/broken/reload');
    expect(reloaded.json.state).toBe('LOADED');
    expect((await call(url, 'POST', '/v1/plugins/broken/execute', { input: { text: 'back' } })).json).toMatchObject({ ok: true, output: { text: 'back' } });
  });
});

describe('steward plugin run / help', () => {
  it('runs a plugin once, prints its output, and exits 1 when it fails, 2 for bad input', async () => {
    const library = await fixtureLibrary();
    const cwd = library.root;
    const ok = steward(['plugin', 'run', 'echo', '--input', '{"text":"hello"}'], { cwd });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ text: 'hello' });
    writeFileSync(join(cwd, 'input.json'), '{"text":"from file"}');
    expect(JSON.parse(steward(['plugin', 'run', 'echo', '--input', '@input.json'], { cwd }).stdout)).toEqual({ text: 'from file' });

    const failed = steward(['plugin', 'run', 'thrower', '--input', '{"text":"x"}'], { cwd });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('thrower: plugin-error: TypeError: bad x');
    expect(steward(['plugin', 'run', 'echo', '--input', '{oops'], { cwd }).code).toBe(2);
    expect(steward(['plugin', 'run', 'nope', '--input', '{}'], { cwd }).code).toBe(2);
    expect(steward(['plugin', 'help', 'echo'], { cwd }).stdout).toContain('echo: no help');
  });
});

describe('steward host', () => {
  it('serves the API, and on SIGINT stops with every plugin process gone', async () => {
    const { spawn } = await import('node:child_process');
    const { execFileSync } = await import('node:child_process');
    const library = await fixtureLibrary();
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../orchestrator/cli/steward.js'), 'host', '--port', '0', '--crash-limit', '5'], {
      cwd: library.root,
      env: { ...process.env, STEWARD_LIBRARY: '', STEWARD_HOST_TOKEN: HOST_TOKEN },
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /on (http:\/\/[\d.]+:\d+)/.exec(out);
        // The plugin listing follows the address line: wait for its last row.
        if (match?.[1] && out.includes('thrower')) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`host exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/broken\s+FAILED/);
    expect((await call(url, 'POST', '/v1/plugins/echo/execute', { input: { text: 'up' } })).json).toMatchObject({ ok: true });
    // This host's plugin workers: its descendants (other test files run hosts of their own at the same time).
    const table = (): { pid: number; ppid: number; args: string }[] =>
      execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
        .split('\n')
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
        .flatMap((m) => (m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? '' }] : []));
    const rows = table();
    const tree = new Set([child.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const row of rows) if (tree.has(row.ppid) && !tree.has(row.pid)) grew = Boolean(tree.add(row.pid));
    }
    const workers = rows.filter((row) => tree.has(row.pid) && row.args.includes('node-plugin.mjs')).map((row) => row.pid);
    expect(workers.length).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(table().filter((row) => workers.includes(row.pid) && row.args.includes('node-plugin.mjs'))).toEqual([]);
    const bad = steward(['host', '--port', 'abc'], { cwd: library.root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be a whole number');
  });
});

describe('crash accounting', () => {
  it('one worker death during three concurrent calls is one crash, not three', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'dies'), 'dies', { manifest: manifestFor('dies', { limits: { timeoutMs: 5000, memoryMb: 256 } }) });
    writeFileSync(
      join(library.paths.plugins, 'dies', 'src/index.js'),
      "export default { name: 'dies', async execute(input) { if (input.text === 'die') { setTimeout(() => process.exit(3), 50); } await new Promise((r) => setTimeout(r, 300)); return { text: input.text }; } };\n",
    );
    const host = new PluginHost({ library, env: {}, crashLimit: 3, sink: { capture: () => undefined } });
    host.load();
    cleanups.push(() => host.close());
    await host.invoke('dies', { text: 'warm-up' });
    const outcomes = await Promise.all([host.invoke('dies', { text: 'a' }), host.invoke('dies', { text: 'die' }), host.invoke('dies', { text: 'b' })]);
    expect(outcomes.map((o) => (o?.ok ? 'ok' : o?.kind))).toEqual(['crash', 'crash', 'crash']);
    expect(host.health('dies')).toMatchObject({ state: 'LOADED', metrics: { crashes: 3 } });
    expect(host.health('dies')?.history.filter((h) => h.state === 'FAILED')).toEqual([]);
    expect((await host.invoke('dies', { text: 'again' }))?.ok).toBe(true);
  });
});
