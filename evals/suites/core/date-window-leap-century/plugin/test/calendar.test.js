import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysInMonth, isLeapYear, labelOf, shiftPeriod, startOfPeriod, civilToLocal } from '../src/calendar.js';
import { parseAt, parseDay, parseOffset } from '../src/parse.js';

const utc = (text) => Date.parse(text);

test('month lengths and leap years', () => {
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 2), 28);
  assert.equal(daysInMonth(2024, 4), 30);
  assert.equal(daysInMonth(2024, 12), 31);
  assert.equal(isLeapYear(1900), false);
  assert.equal(isLeapYear(2100), false);
});

test('start of each period', () => {
  const at = utc('2024-05-15T13:45:00Z'); // a Wednesday
  assert.equal(startOfPeriod(at, 'day', 1), utc('2024-05-15T00:00:00Z'));
  assert.equal(startOfPeriod(at, 'week', 1), utc('2024-05-13T00:00:00Z'));
  assert.equal(startOfPeriod(at, 'week', 0), utc('2024-05-12T00:00:00Z'));
  assert.equal(startOfPeriod(at, 'month', 1), utc('2024-05-01T00:00:00Z'));
  assert.equal(startOfPeriod(at, 'quarter', 1), utc('2024-04-01T00:00:00Z'));
  assert.equal(startOfPeriod(at, 'year', 1), utc('2024-01-01T00:00:00Z'));
});

test('shifting periods crosses year ends', () => {
  assert.equal(shiftPeriod(utc('2024-01-01T00:00:00Z'), 'month', -1), utc('2023-12-01T00:00:00Z'));
  assert.equal(shiftPeriod(utc('2023-10-01T00:00:00Z'), 'quarter', 1), utc('2024-01-01T00:00:00Z'));
  assert.equal(shiftPeriod(utc('2024-12-30T00:00:00Z'), 'week', 1), utc('2025-01-06T00:00:00Z'));
});

test('labels', () => {
  assert.equal(labelOf(utc('2024-08-01T00:00:00Z'), 'quarter'), '2024-Q3');
  assert.equal(labelOf(utc('2024-08-05T00:00:00Z'), 'week'), '2024-08-05/P1W');
  assert.equal(labelOf(utc('2024-08-01T00:00:00Z'), 'month'), '2024-08');
});

test('years below 100 are not read as 19xx', () => {
  assert.equal(new Date(civilToLocal(44, 3, 15)).toISOString(), '0044-03-15T00:00:00.000Z');
});

test('parses offsets and refuses zone names', () => {
  assert.equal(parseOffset('+05:30'), 330);
  assert.equal(parseOffset('-0800'), -480);
  assert.equal(parseOffset('Z'), 0);
  assert.throws(() => parseOffset('+15:00'), /outside -14:00\.\.\+14:00/);
  assert.throws(() => parseOffset('America/New_York'), /is a time zone name/);
});

test('parses dates and timestamps', () => {
  assert.equal(parseDay('2024-02-29'), utc('2024-02-29T00:00:00Z'));
  assert.deepEqual(parseAt('2024-03-31T18:00:00.250Z', 0), { localMs: utc('2024-03-31T18:00:00.250Z'), utcMs: utc('2024-03-31T18:00:00.250Z') });
  assert.throws(() => parseDay('2023-02-29'), /2023-02 has 28 days/);
  assert.throws(() => parseDay('1900-02-29'), /1900-02 has 28 days/);
  assert.throws(() => parseDay('2024-13-01'), /no month 13/);
  assert.throws(() => parseAt('2024-03-31T24:00:00Z', 0), /not a valid time of day/);
  assert.throws(() => parseAt('31/03/2024', 0), /not an ISO 8601 date/);
});
