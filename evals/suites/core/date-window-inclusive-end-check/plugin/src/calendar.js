// Calendar arithmetic on "local milliseconds": an instant shifted by the reporting
// offset, so that the UTC fields of a Date built from it read as the local wall
// clock. Offsets are fixed (no DST), so a local day is always 24 hours long.

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const PERIODS = ['day', 'week', 'month', 'quarter', 'year'];
export const WEEK_START = { sunday: 0, monday: 1 };

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(year) {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year, month) {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1];
}

/** Local midnight of a civil date (month 1-12; overflowing months roll into the next year). */
export function civilToLocal(year, month, day) {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

export function toLocal(utcMs, offsetMinutes) {
  return utcMs + offsetMinutes * MINUTE_MS;
}

export function toUtc(localMs, offsetMinutes) {
  return localMs - offsetMinutes * MINUTE_MS;
}

/** Local start of the period that contains `localMs`. */
export function startOfPeriod(localMs, period, weekStartDay) {
  const date = new Date(localMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const midnight = civilToLocal(year, month, date.getUTCDate());
  switch (period) {
    case 'day':
      return midnight;
    case 'week':
      return midnight - ((date.getUTCDay() - weekStartDay + 7) % 7) * DAY_MS;
    case 'month':
      return civilToLocal(year, month, 1);
    case 'quarter':
      return civilToLocal(year, month - ((month - 1) % 3), 1);
    case 'year':
      return civilToLocal(year, 1, 1);
    default:
      throw new RangeError(`unknown period "${period}"`);
  }
}

/** Local start of the period `n` periods after the one starting at `startMs` (n may be negative). */
export function shiftPeriod(startMs, period, n) {
  const date = new Date(startMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  switch (period) {
    case 'day':
      return startMs + n * DAY_MS;
    case 'week':
      return startMs + 7 * n * DAY_MS;
    case 'month':
      return civilToLocal(year, month + n, 1);
    case 'quarter':
      return civilToLocal(year, month + 3 * n, 1);
    case 'year':
      return civilToLocal(year + n, 1, 1);
    default:
      throw new RangeError(`unknown period "${period}"`);
  }
}

/** "2024-03-01", "2024-02-26/P1W", "2024-03", "2024-Q1", "2024". */
export function labelOf(startMs, period) {
  const day = new Date(startMs).toISOString().slice(0, 10);
  const month = Number(day.slice(5, 7));
  switch (period) {
    case 'day':
      return day;
    case 'week':
      return `${day}/P1W`;
    case 'month':
      return day.slice(0, 7);
    case 'quarter':
      return `${day.slice(0, 4)}-Q${Math.ceil(month / 3)}`;
    default:
      return day.slice(0, 4);
  }
}
