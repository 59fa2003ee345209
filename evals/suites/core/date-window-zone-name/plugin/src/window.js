import { DAY_MS, labelOf, shiftPeriod, startOfPeriod, toUtc } from './calendar.js';

/** "Z" for UTC, otherwise "+05:30" / "-08:00". */
export function offsetText(minutes) {
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Local milliseconds as an ISO 8601 timestamp in the reporting offset. */
export function formatLocal(localMs, offsetMinutes) {
  return `${new Date(localMs).toISOString().slice(0, 23)}${offsetText(offsetMinutes)}`;
}

/** Monday to Friday days in [start, next) that are not holidays (a Set of local midnights). */
export function countBusinessDays(start, next, holidays) {
  let count = 0;
  for (let day = start; day < next; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(day)) count++;
  }
  return count;
}

function makeBucket(start, options) {
  const { period, offsetMinutes, endInclusive, holidays } = options;
  const next = shiftPeriod(start, period, 1);
  const startMs = toUtc(start, offsetMinutes);
  const nextMs = toUtc(next, offsetMinutes);
  return {
    label: labelOf(start, period),
    start,
    next,
    startMs,
    nextMs,
    // Inclusive ends are the last millisecond, for consumers that filter with BETWEEN.
    endMs: endInclusive ? nextMs - 1 : nextMs,
    days: Math.round((next - start) / DAY_MS),
    businessDays: countBusinessDays(start, next, holidays),
  };
}

function notContained(anchor, bucket, period) {
  const at = new Date(anchor.utcMs).toISOString();
  return new Error(`the ${period} bucket ${bucket.label} [${bucket.startMs}, ${bucket.nextMs}) does not contain its anchor ${at} (${anchor.utcMs})`);
}

/**
 * `count` consecutive buckets, oldest first, ending `shift` periods after the one
 * that contains the anchor (shift -1: the last complete period).
 */
export function buildBuckets(anchor, options) {
  const { period, weekStartDay, count, shift } = options;
  const current = makeBucket(startOfPeriod(anchor.localMs, period, weekStartDay), options);
  // A window that misses its own anchor is a bug, never a report (see history, 1.3.1).
  if (anchor.utcMs < current.startMs || anchor.utcMs >= current.nextMs) throw notContained(anchor, current, period);
  const buckets = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = shiftPeriod(current.start, period, shift - i);
    buckets.push(start === current.start ? current : makeBucket(start, options));
  }
  return buckets;
}
