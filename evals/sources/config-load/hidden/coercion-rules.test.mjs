// Hidden checks of the correct config-load: rules that the captured inputs only sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COERCERS, parseDuration } from '../../src/coerce.js';
import plugin from '../../src/index.js';

const ctx = { env: { CONFIG_LOAD_PROFILE: 'production' }, log: {}, signal: new AbortController().signal, workdir: process.cwd() };

test('compound durations', () => {
  assert.equal(parseDuration('1h30m', 'x'), 5_400_000);
  assert.equal(parseDuration('2h15m30s', 'x'), 8_130_000);
  assert.equal(parseDuration('1d12h', 'x'), 129_600_000);
  assert.equal(parseDuration('1m30.5s', 'x'), 90_500);
  assert.equal(parseDuration('1s500ms', 'x'), 1_500);
  assert.throws(() => parseDuration('1h 30m', 'x'), /invalid duration/);
  assert.throws(() => parseDuration('1h30', 'x'), /invalid duration/);
});

test('numbers from strings, as the environment gives them', () => {
  assert.equal(COERCERS.integer('8081', 'x'), 8081);
  assert.equal(COERCERS.integer(' 42 ', 'x'), 42);
  assert.equal(COERCERS.integer(7, 'x'), 7);
  assert.throws(() => COERCERS.integer('80a', 'x'), /expected an integer, got "80a"/);
  assert.throws(() => COERCERS.integer('', 'x'), /expected an integer/);
  assert.throws(() => COERCERS.integer('1.5', 'x'), /expected an integer/);
  assert.equal(COERCERS.number('0.25', 'x'), 0.25);
  assert.equal(COERCERS.number('-3', 'x'), -3);
  assert.throws(() => COERCERS.number('abc', 'x'), /expected a number, got "abc"/);
  assert.throws(() => COERCERS.number('', 'x'), /expected a number/);
});

test('preset values arrive, with their source, under the config and the environment', async () => {
  plugin.init(ctx);
  const spec = {
    'jobs.concurrency': { type: 'integer', required: true },
    'jobs.lease': { type: 'duration', required: true },
    'jobs.retryBackoff': { type: 'duration', default: '1s' },
    'log.json': { type: 'boolean', default: false },
  };
  const out = await plugin.execute({ text: '{"$extends":"worker","jobs":{"lease":"20m"}}', overrides: { APP_JOBS__CONCURRENCY: '12' }, spec }, ctx);
  assert.deepEqual(out.settings, { jobs: { concurrency: 12, lease: 1_200_000, retryBackoff: 15_000 }, log: { json: true } });
  assert.deepEqual(out.sources, { 'jobs.concurrency': 'env:APP_JOBS__CONCURRENCY', 'jobs.lease': 'config', 'jobs.retryBackoff': 'preset:worker', 'log.json': 'preset:worker' });
  await assert.rejects(() => plugin.execute({ text: '{"$extends":"cron"}', spec }, ctx), /there is no preset "cron"/);
});
