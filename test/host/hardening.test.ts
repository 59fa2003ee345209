import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink, type CaptureSink } from '../../orchestrator/ingest/sink.ts';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { createHostServer } from '../../orchestrator/host/http.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { configSchema } from '../../orchestrator/library/config.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { runDoctor } from '../../orchestrator/library/doctor.ts';
import { manifestSchema } from '../../orchestrator/library/manifest.ts';
import { pluginUnderFix } from '../../agents/plugin-agent/checks.ts';
import { makeLibrary } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const TOKEN = 'host-token-for-tests';

class MemorySink implements CaptureSink {
  readonly events: ErrorEvent[] = [];
  capture(event: ErrorEvent): void {
    this.events.push(event);
  }
}

async function serve(
  library: Library,
  options: { env?: NodeJS.ProcessEnv; sink?: CaptureSink; captureLimit?: { perMinute: number; burst: number } } = {},
): Promise<{ url: string; host: PluginHost }> {
  const host = new PluginHost({
    library,
    env: options.env ?? {},
    ...(options.sink ? { sink: options.sink } : {}),
    ...(options.captureLimit ? { captureLimit: options.captureLimit } : {}),
  });
  host.load();
  const server = createHostServer(host, { token: TOKEN });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await host.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, host };
}

async function call(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the plugin API needs its token', () => {
  it('answers 401 to every /v1/plugins route without it or with a wrong one, and runs nothing', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'echo'), 'echo');
    const sink = new MemorySink();
    const { url, host } = await serve(library, { sink });
    for (const [method, path] of [
      ['GET', '/v1/plugins'],
      ['GET', '/v1/plugins/echo/health'],
      ['POST', '/v1/plugins/echo/execute'],
      ['POST', '/v1/plugins/echo/reload'],
    ] as const) {
      const body = method === 'POST' ? { body: { input: { text: 1 } } } : {};
      expect((await call(url, method, path, { token: null, ...body })).status, `${method} ${path}`).toBe(401);
      expect((await call(url, method, path, { token: 'wrong', ...body })).status).toBe(401);
    }
    expect(host.health('echo')?.metrics.successes).toBe(0);
    expect(sink.events).toEqual([]);
    expect((await call(url, 'POST', '/v1/plugins/echo/execute', { body: { input: { text: 'hi' } } })).json).toMatchObject({ ok: true, output: { text: 'hi' } });
  });

  it('answers 400, not 500, to a malformed percent-escape in a plugin name', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'echo'), 'echo');
    const { url } = await serve(library);
    for (const path of ['/v1/plugins/%/health', '/v1/plugins/%E0%A4%A/execute', '/v1/plugins/%zz/reload']) {
      const answer = await call(url, path.endsWith('health') ? 'GET' : 'POST', path);
      expect(answer.status, path).toBe(400);
      expect(answer.json).toMatchObject({ error: { type: 'BadRequest' } });
    }
  });
});

describe('captures are rate-limited per plugin', () => {
  it('queues a burst, counts the rest as limited, and leaves other plugins their own budget', async () => {
    const library = await makeLibrary();
    for (const name of ['thrower', 'other']) {
      writePlugin(join(library.paths.plugins, name), name);
      writeFileSync(join(library.paths.plugins, name, 'src/index.js'), `export default { name: '${name}', execute(input) { throw new TypeError('bad ' + input.text); } };\n`);
    }
    const sink = new MemorySink();
    const { host } = await serve(library, { sink, captureLimit: { perMinute: 1, burst: 5 } });
    for (let i = 0; i < 20; i++) expect((await host.invoke('thrower', { text: `n${i}` }))?.ok).toBe(false);
    await host.invoke('other', { text: 'x' });
    expect(sink.events.filter((e) => e.plugin === 'thrower')).toHaveLength(5);
    expect(sink.events.filter((e) => e.plugin === 'other')).toHaveLength(1);
    expect(host.health('thrower')?.metrics).toMatchObject({ errors: 20, capturesLimited: 15 });
  });

  it('is configured per library, with a default', () => {
    expect(configSchema.parse({}).ingest.hostCaptures).toEqual({ perMinute: 600, burst: 100 });
  });
});

describe("steward's own secrets are never a plugin's", () => {
  it('the manifest schema refuses every reserved name, each at its path', () => {
    for (const name of ['GITHUB_TOKEN', 'STEWARD_INGEST_TOKEN', 'steward_host_token', 'DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY']) {
      const result = manifestSchema.safeParse(manifestFor('pp', { env: [{ name: 'FINE_ONE' }, { name, secret: false }] }));
      expect(result.success, name).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['env', 1, 'name']);
      expect(result.error?.issues[0]?.message).toMatch(/reserved/);
    }
    expect(manifestSchema.safeParse(manifestFor('pp', { env: [{ name: 'WEATHER_API_KEY', secret: true }] })).success).toBe(true);
  });

  it("the tracker's own token variable reaches neither the host's plugin nor the agent's sandbox, and doctor says so", async () => {
    const library = await makeLibrary();
    library.config = configSchema.parse({ tracker: 'github', github: { owner: 'o', repo: 'r', tokenEnv: 'ACME_TRACKER_TOKEN' } });
    writePlugin(join(library.paths.plugins, 'env-dump'), 'env-dump', {
      manifest: manifestFor('env-dump', { env: [{ name: 'ACME_TRACKER_TOKEN' }, { name: 'PLAIN_SETTING' }], interface: { input: { type: 'object' }, output: { type: 'object' } } }),
    });
    writeFileSync(
      join(library.paths.plugins, 'env-dump', 'src/index.js'),
      "export default { name: 'env-dump', execute(input, context) { return { env: { ...context.env } }; } };\n",
    );
    const env = { ACME_TRACKER_TOKEN: 'ghp_trackerSecretValue0123456789abcdef0123', PLAIN_SETTING: 'visible' };
    const { url } = await serve(library, { env });
    const answer = await call(url, 'POST', '/v1/plugins/env-dump/execute', { body: { input: {} } });
    expect(answer.status).toBe(200);
    const seen = (answer.json.output as { env: Record<string, string> }).env;
    expect(seen.PLAIN_SETTING).toBe('visible');
    expect(seen.ACME_TRACKER_TOKEN).toBeUndefined();

    // What the agent's sandboxed steps (reproduce, validate, the fixers) give the plugin.
    expect(pluginUnderFix(library, 'env-dump', env).env).toEqual({ PLAIN_SETTING: 'visible' });

    const report = await runDoctor(library, { plugins: ['env-dump'] });
    const finding = report.plugins[0]?.findings.find((f) => f.code === 'reserved-env');
    expect(finding).toMatchObject({ severity: 'error', path: '$.env[0].name' });
  });

  it("a plugin's declared secret is scrubbed from what it returns and what it throws, and nothing else is", async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'leaky'), 'leaky', {
      manifest: manifestFor('leaky', { env: [{ name: 'LEAKY_KEY', secret: true }], interface: { input: { type: 'object' }, output: { type: 'object' } } }),
    });
    writeFileSync(
      join(library.paths.plugins, 'leaky', 'src/index.js'),
      "export default { name: 'leaky', execute(input, context) { const k = context.env.LEAKY_KEY; if (input.fail) throw new Error('auth with ' + k + ' failed'); return { key: k, nested: [{ [k]: 'as a key ' + k }], sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }; } };\n",
    );
    const secret = 'sk_live_only_this_plugin_knows_42';
    const sink = new FileSink(join(library.paths.state, 'events.jsonl'));
    const { url } = await serve(library, { env: { LEAKY_KEY: secret }, sink });
    const ok = await call(url, 'POST', '/v1/plugins/leaky/execute', { body: { input: {} } });
    expect(JSON.stringify(ok.json)).not.toContain(secret);
    expect(ok.json.output).toEqual({
      key: '[redacted]',
      nested: [{ '[redacted]': 'as a key [redacted]' }],
      sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    const failed = await call(url, 'POST', '/v1/plugins/leaky/execute', { body: { input: { fail: true } } });
    expect(failed.status).toBe(422);
    expect(failed.json).toMatchObject({ error: { message: 'auth with [redacted] failed' } });
    const events = readFileSync(sink.file, 'utf8');
    expect(events).toContain('auth with [redacted] failed');
    expect(events).not.toContain(secret);
  });

  it('a secret a plugin throws from init never shows in its state, its health or a later answer', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'bad-init'), 'bad-init', { manifest: manifestFor('bad-init', { env: [{ name: 'BAD_INIT_KEY', secret: true }] }) });
    writeFileSync(
      join(library.paths.plugins, 'bad-init', 'src/index.js'),
      "export default { name: 'bad-init', init(context) { throw new Error('cannot log in with ' + context.env.BAD_INIT_KEY); }, execute() { return {}; } };\n",
    );
    const secret = 'sk_init_secret_value_99';
    const { url } = await serve(library, { env: { BAD_INIT_KEY: secret } });
    const first = await call(url, 'POST', '/v1/plugins/bad-init/execute', { body: { input: {} } });
    expect(first.status).toBe(503);
    const second = await call(url, 'POST', '/v1/plugins/bad-init/execute', { body: { input: {} } });
    const health = await call(url, 'GET', '/v1/plugins/bad-init/health');
    const list = await call(url, 'GET', '/v1/plugins');
    for (const answer of [first, second, health, list]) expect(JSON.stringify(answer.json)).not.toContain(secret);
    expect(health.json.reason).toContain('cannot log in with [redacted]');
  });
});
