// Hidden checks of the correct date-window: rules that the captured inputs only sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysInMonth, isLeapYear } from '../../src/calendar.js';
import { parseAt, parseDay } from '../../src/parse.js';
import plugin from '../../src/index.js';

const ctx = { env: {}, log: {}, signal: new AbortController().signal, workdir: process.cwd() };
const window = (input) => plugin.execute(input, ctx);

test('Gregorian leap years, century rule included', () => {
  for (const year of [1600, 2000, 2004, 2024, 2400]) assert.equal(isLeapYear(year), true, `${year}`);
  for (const year of [1700, 1800, 1900, 2023, 2100]) assert.equal(isLeapYear(year), false, `${year}`);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(parseDay('2000-02-29'), Date.parse('2000-02-29T00:00:00Z'));
  assert.throws(() => parseDay('2100-02-29'), /2100-02 has 28 days/);
});

test('UTC bounds are local time minus the offset', () => {
  const ist = window({ at: '2024-03-15', period: 'month', utcOffset: '+05:30' });
  assert.equal(ist.startMs, Date.parse('2024-03-01T00:00:00+05:30'));
  assert.equal(ist.endMs, Date.parse('2024-04-01T00:00:00+05:30'));
  const pst = window({ at: '2024-03-15T06:00:00Z', period: 'day', utcOffset: '-08:00' });
  assert.equal(pst.start, '2024-03-14T00:00:00.000-08:00');
  assert.equal(pst.startMs, Date.parse('2024-03-14T00:00:00-08:00'));
  assert.equal(parseAt('2024-03-31T18:00:00+05:30', 0).utcMs, Date.parse('2024-03-31T12:30:00Z'));
});

test('anchors anywhere in their period, first and last millisecond included', () => {
  for (const utcOffset of ['Z', '+05:30', '-08:00', '+14:00']) {
    for (const endInclusive of [false, true]) {
      const first = window({ at: '2024-07-01T00:00:00.000' + (utcOffset === 'Z' ? 'Z' : utcOffset), period: 'quarter', utcOffset, endInclusive });
      assert.equal(first.buckets[0].label, '2024-Q3');
      const last = window({ at: '2024-09-30T23:59:59.999' + (utcOffset === 'Z' ? 'Z' : utcOffset), period: 'quarter', utcOffset, endInclusive });
      assert.equal(last.buckets[0].label, '2024-Q3');
      assert.equal(last.endMs, Date.parse('2024-10-01T00:00:00' + (utcOffset === 'Z' ? 'Z' : utcOffset)) - (endInclusive ? 1 : 0));
    }
  }
  const early = window({ at: '2024-03-31T19:00:00Z', period: 'week', utcOffset: '+05:30', count: 2 });
  assert.deepEqual(early.buckets.map((b) => b.label), ['2024-03-25/P1W', '2024-04-01/P1W']);
});
