import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from '../src/index.js';
import { loadPreset, pathOfOverride } from '../src/source.js';

const noop = () => {};
const contextFor = (env) => ({ env, log: { debug: noop, info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workdir: process.cwd() });
const ctx = contextFor({ CONFIG_LOAD_PROFILE: 'production' });

const SPEC = {
  'http.port': { type: 'integer', required: true, min: 1, max: 65535 },
  'http.requestTimeout': { type: 'duration', default: '30s', max: '5m' },
  'log.level': { type: 'string', default: 'info', enum: ['debug', 'info', 'warn', 'error'] },
  'log.json': { type: 'boolean', default: false },
  'features.beta': { type: 'boolean', default: false },
};

async function load(input, context = ctx) {
  plugin.init(context);
  return plugin.execute(input, context);
}

test('presets load and validate', async () => {
  await assert.doesNotReject(() => plugin.validate(ctx));
  assert.equal((await loadPreset('worker')).jobs.lease, '5m');
  await assert.rejects(() => loadPreset('../secrets'), /must name a preset/);
});

test('override names map to setting paths', () => {
  assert.equal(pathOfOverride('APP_HTTP__REQUEST_TIMEOUT', 'APP_'), 'http.requestTimeout');
  assert.equal(pathOfOverride('APP_LOG__LEVEL', 'APP_'), 'log.level');
});

test('defaults, config and coercion', async () => {
  const out = await load({ text: '{"http":{"port":8080,"requestTimeout":"45s"}}', spec: SPEC });
  assert.deepEqual(out.settings, { http: { port: 8080, requestTimeout: 45_000 }, log: { level: 'info', json: false }, features: { beta: false } });
  assert.equal(out.sources['http.port'], 'config');
  assert.equal(out.sources['log.level'], 'default');
  assert.deepEqual(out.ignored, []);
});

test('profile sections and environment overrides, in that order', async () => {
  const text = JSON.stringify({ http: { port: 8080 }, log: { level: 'debug' }, profiles: { production: { log: { level: 'warn', json: true } }, staging: { log: { level: 'info' } } } });
  const out = await load({ text, spec: SPEC, overrides: { APP_LOG__LEVEL: 'error', APP_FEATURES__BETA: 'yes', HOME: '/root' } });
  assert.equal(out.profile, 'production');
  assert.deepEqual(out.settings.log, { level: 'error', json: true });
  assert.equal(out.settings.features.beta, true);
  assert.equal(out.sources['log.level'], 'env:APP_LOG__LEVEL');
  assert.equal(out.sources['log.json'], 'profile:production');
});

test('the override prefix comes from the environment', async () => {
  const out = await load({ text: '{"http":{"port":8080}}', spec: SPEC, overrides: { SVC_LOG__LEVEL: 'warn', APP_LOG__LEVEL: 'debug' } }, contextFor({ CONFIG_LOAD_PROFILE: 'staging', CONFIG_LOAD_ENV_PREFIX: 'SVC_' }));
  assert.equal(out.settings.log.level, 'warn');
});

test('unknown keys are reported, not fatal', async () => {
  const out = await load({ text: '{"http":{"port":8080,"prot":1}}', spec: SPEC });
  assert.deepEqual(out.ignored, ['config: http.prot']);
});

test('a config that breaks its spec is refused with the setting and its source', async () => {
  await assert.rejects(() => load({ text: '{}', spec: SPEC }), /http\.port is required: set it in the config, its preset or APP_HTTP__PORT/);
  await assert.rejects(() => load({ text: '{"http":{"port":70000}}', spec: SPEC }), /http\.port \(config\): 70000 is above the maximum 65535/);
  await assert.rejects(() => load({ text: '{"http":{"port":8080,"requestTimeout":"10m"}}', spec: SPEC }), /above the maximum 5m/);
  await assert.rejects(() => load({ text: '{"http":{"port":8080}}', spec: SPEC, overrides: { APP_LOG__LEVEL: 'verbose' } }), /log\.level \(env:APP_LOG__LEVEL\): "verbose" is not one of/);
  await assert.rejects(() => load({ text: '{"http":', spec: SPEC }), /not valid JSON/);
});

test('refuses to run without a profile', () => {
  assert.throws(() => plugin.init(contextFor({})), /CONFIG_LOAD_PROFILE is not set/);
});
