import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COERCERS, ConfigError, parseDuration } from '../src/coerce.js';

test('durations in milliseconds', () => {
  assert.equal(parseDuration('250ms', 'x'), 250);
  assert.equal(parseDuration('30s', 'x'), 30_000);
  assert.equal(parseDuration(' 5m ', 'x'), 300_000);
  assert.equal(parseDuration('1.5h', 'x'), 5_400_000);
  assert.equal(parseDuration('2d', 'x'), 172_800_000);
  assert.equal(parseDuration(15000, 'x'), 15_000);
});

test('invalid durations name the setting', () => {
  assert.throws(() => parseDuration('5min', 'jobs.lease (config)'), /jobs\.lease \(config\): invalid duration "5min"/);
  assert.throws(() => parseDuration('30', 'x'), ConfigError);
  assert.throws(() => parseDuration('-1s', 'x'), ConfigError);
  assert.throws(() => parseDuration(-5, 'x'), /non-negative integer/);
});

test('booleans from JSON and from words', () => {
  assert.equal(COERCERS.boolean(true, 'x'), true);
  assert.equal(COERCERS.boolean('Yes', 'x'), true);
  assert.equal(COERCERS.boolean('off', 'x'), false);
  assert.equal(COERCERS.boolean('0', 'x'), false);
  assert.throws(() => COERCERS.boolean('maybe', 'x'), /expected a boolean/);
});

test('numbers and integers', () => {
  assert.equal(COERCERS.integer(8080, 'x'), 8080);
  assert.throws(() => COERCERS.integer(80.5, 'x'), /expected an integer, got 80.5/);
  assert.equal(COERCERS.number(0.25, 'x'), 0.25);
  assert.throws(() => COERCERS.number(null, 'x'), /expected a number/);
});

test('lists from JSON arrays and comma-separated text', () => {
  assert.deepEqual(COERCERS.list(['a', 'b'], 'x'), ['a', 'b']);
  assert.deepEqual(COERCERS.list('a, b,,c', 'x'), ['a', 'b', 'c']);
  assert.throws(() => COERCERS.list([{ a: 1 }], 'x'), /a list holds strings/);
});

test('strings', () => {
  assert.equal(COERCERS.string('info', 'x'), 'info');
  assert.equal(COERCERS.string(42, 'x'), '42');
  assert.throws(() => COERCERS.string(['a'], 'x'), /expected a string/);
});
