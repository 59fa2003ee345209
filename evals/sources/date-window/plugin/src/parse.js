import { civilToLocal, daysInMonth, toLocal, toUtc } from './calendar.js';

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A date, or a date and time with an optional offset; a time without an offset is
// wall-clock time in the reporting offset.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** "+05:30", "-0800", "Z" or "UTC" → minutes east of UTC. */
export function parseOffset(text) {
  if (text === 'Z' || text === 'UTC') return 0;
  const match = OFFSET.exec(text);
  if (!match) {
    if (/[A-Za-z]/.test(text)) {
      throw new RangeError(`utcOffset "${text}" is a time zone name, not a UTC offset: date-window takes fixed offsets like "+01:00" (no DST rules); resolve the zone to its offset for the window before calling`);
    }
    throw new RangeError(`utcOffset "${text}" is not a UTC offset like "+05:30", "-08:00" or "Z"`);
  }
  const [, sign, hours, minutes] = match;
  const total = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) > 59 || total > 14 * 60) throw new RangeError(`utcOffset "${text}" is outside -14:00..+14:00`);
  return sign === '-' ? -total : total;
}

function civilDate(text, year, month, day) {
  if (month < 1 || month > 12) throw new RangeError(`"${text}" is not a calendar date: there is no month ${month}`);
  const length = daysInMonth(year, month);
  if (day < 1 || day > length) throw new RangeError(`"${text}" is not a calendar date: ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')} has ${length} days`);
  return civilToLocal(year, month, day);
}

/** A "YYYY-MM-DD" date (holidays) → its local midnight. */
export function parseDay(text) {
  const match = DATE.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a date like 2024-12-25`);
  return civilDate(text, Number(match[1]), Number(match[2]), Number(match[3]));
}

/** The anchor: a date (local midnight) or a timestamp, as UTC and local milliseconds. */
export function parseAt(text, offsetMinutes) {
  if (DATE.test(text)) {
    const localMs = parseDay(text);
    return { localMs, utcMs: toUtc(localMs, offsetMinutes) };
  }
  const match = DATE_TIME.exec(text);
  if (!match) throw new RangeError(`at "${text}" is not an ISO 8601 date (2024-03-31) or timestamp (2024-03-31T18:00:00Z)`);
  const [, year, month, day, hours, minutes, seconds = '0', fraction = '', zone] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) throw new RangeError(`at "${text}" is not a valid time of day`);
  const midnight = civilDate(text, Number(year), Number(month), Number(day));
  const wallMs = midnight + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
  if (zone === undefined) return { localMs: wallMs, utcMs: toUtc(wallMs, offsetMinutes) };
  const utcMs = toUtc(wallMs, parseOffset(zone));
  return { localMs: toLocal(utcMs, offsetMinutes), utcMs };
}
