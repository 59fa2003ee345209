import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from '../src/index.js';

const noop = () => {};
const ctx = { env: {}, log: { debug: noop, info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workdir: process.cwd() };
const window = (input) => plugin.execute(input, ctx);

test('a UTC month with exclusive end', () => {
  const out = window({ at: '2024-02-14T09:30:00Z', period: 'month' });
  assert.equal(out.start, '2024-02-01T00:00:00.000Z');
  assert.equal(out.end, '2024-03-01T00:00:00.000Z');
  assert.equal(out.startMs, Date.parse('2024-02-01T00:00:00Z'));
  assert.equal(out.endMs, Date.parse('2024-03-01T00:00:00Z'));
  assert.equal(out.days, 29);
  assert.equal(out.businessDays, 21);
  assert.equal(out.buckets.length, 1);
  assert.equal(out.buckets[0].label, '2024-02');
});

test('inclusive ends are the last millisecond', () => {
  const out = window({ at: '2024-04-10', period: 'month', endInclusive: true });
  assert.equal(out.end, '2024-04-30T23:59:59.999Z');
  assert.equal(out.endMs, Date.parse('2024-05-01T00:00:00Z') - 1);
});

test('buckets tile the window, oldest first', () => {
  const out = window({ at: '2024-01-20T12:00:00Z', period: 'month', count: 3 });
  assert.deepEqual(out.buckets.map((b) => b.label), ['2023-11', '2023-12', '2024-01']);
  for (let i = 1; i < out.buckets.length; i++) assert.equal(out.buckets[i].startMs, out.buckets[i - 1].endMs);
  assert.equal(out.days, 30 + 31 + 31);
});

test('shift -1 gives the last complete period', () => {
  const out = window({ at: '2024-04-01T08:00:00Z', period: 'quarter', shift: -1 });
  assert.equal(out.buckets[0].label, '2024-Q1');
  assert.equal(out.days, 91);
});

test('weeks start on Monday or Sunday', () => {
  assert.equal(window({ at: '2024-03-17', period: 'week' }).start, '2024-03-11T00:00:00.000Z');
  assert.equal(window({ at: '2024-03-17', period: 'week', weekStart: 'sunday' }).start, '2024-03-17T00:00:00.000Z');
});

test('local dates in a fixed offset', () => {
  const out = window({ at: '2024-03-15', period: 'month', utcOffset: '+05:30' });
  assert.equal(out.utcOffset, '+05:30');
  assert.equal(out.start, '2024-03-01T00:00:00.000+05:30');
  assert.equal(out.end, '2024-04-01T00:00:00.000+05:30');
});

test('holidays are not business days', () => {
  const out = window({ at: '2024-12-24', period: 'week', holidays: ['2024-12-25', '2024-12-26', '2024-12-29'] });
  assert.equal(out.days, 7);
  assert.equal(out.businessDays, 3);
});

test('refuses bad input with clear errors', () => {
  assert.throws(() => window({ at: '2024-03-15', period: 'fortnight' }), /period must be one of/);
  assert.throws(() => window({ at: '2024-03-15', period: 'day', count: 0 }), /count must be an integer from 1 to 366/);
  assert.throws(() => window({ at: '2024-03-15', period: 'day', utcOffset: 'Europe/Berlin' }), /is a time zone name/);
});
