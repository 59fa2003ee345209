// Hidden tests of unit-convert: requests the plugin must refuse with a ConversionError
// (documented behaviour, see AGENT.md), and a few exact conversions. Run from the
// plugin root, through the process protocol, as the host calls the plugin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

function run(input) {
  const proc = spawnSync(resolve('src/main.py'), [], {
    input: JSON.stringify({ op: 'execute', input }),
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 30000,
  });
  return proc;
}

function ok(input) {
  const proc = run(input);
  assert.equal(proc.status, 0, `the plugin exited ${proc.status}: ${(proc.stderr || '').trim().split('\n').pop()}`);
  return JSON.parse(proc.stdout);
}

function refused(input) {
  const proc = run(input);
  assert.notEqual(proc.status, 0, `expected a refusal, got ${proc.stdout}`);
  assert.equal(proc.stdout, '');
  const last = proc.stderr.trim().split('\n').pop();
  return JSON.parse(last).error;
}

test('a "no reading" sentinel below absolute zero is refused, not converted', () => {
  const error = refused({ value: -999, from: 'F', to: 'C' });
  assert.equal(error.type, 'ConversionError');
  assert.match(error.message, /absolute zero/);
});

test('absolute zero itself converts', () => {
  assert.equal(ok({ quantity: '0 K', to: 'C' }).value, -273.15);
});

test('"ton" and "tons" are not read as the metric tonne', () => {
  for (const to of ['ton', 'tons']) {
    const error = refused({ quantity: '2,400 kg', to });
    assert.equal(error.type, 'ConversionError');
    assert.match(error.message, /unknown unit/);
  }
});

test('decimal commas are refused rather than misread', () => {
  const error = refused({ quantity: '1,5 kg', to: 'g' });
  assert.equal(error.type, 'ConversionError');
});

test('mixing dimensions is refused', () => {
  const error = refused({ quantity: '5 kg', to: 'km' });
  assert.equal(error.type, 'ConversionError');
  assert.match(error.message, /cannot convert mass/);
});

test('same-unit conversions return the value unchanged', () => {
  const out = ok({ value: 7, from: 'K', to: 'kelvin' });
  assert.deepEqual(out, { value: 7, unit: 'K', dimension: 'temperature', formatted: '7 K', from: { value: 7, unit: 'K' } });
});

test('a zero quantity converts to zero', () => {
  assert.equal(ok({ quantity: '0 TiB', to: 'bit' }).formatted, '0 bit');
});
