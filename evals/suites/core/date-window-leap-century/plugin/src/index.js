import { PERIODS, WEEK_START } from './calendar.js';
import { parseAt, parseDay, parseOffset } from './parse.js';
import { buildBuckets, formatLocal, offsetText } from './window.js';

const MAX_BUCKETS = 366; // a year of daily buckets, leap years included
const MAX_SHIFT = 1000;

function readOptions(input) {
  if (!PERIODS.includes(input.period)) throw new RangeError(`period must be one of ${PERIODS.join(', ')}, got ${JSON.stringify(input.period)}`);
  const weekStart = input.weekStart ?? 'monday';
  if (!Object.hasOwn(WEEK_START, weekStart)) throw new RangeError(`weekStart must be monday or sunday, got ${JSON.stringify(weekStart)}`);
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_BUCKETS) throw new RangeError(`count must be an integer from 1 to ${MAX_BUCKETS}, got ${JSON.stringify(count)}`);
  const shift = input.shift ?? 0;
  if (!Number.isInteger(shift) || Math.abs(shift) > MAX_SHIFT) throw new RangeError(`shift must be an integer from -${MAX_SHIFT} to ${MAX_SHIFT}, got ${JSON.stringify(shift)}`);
  return {
    period: input.period,
    weekStartDay: WEEK_START[weekStart],
    count,
    shift,
    offsetMinutes: parseOffset(input.utcOffset ?? 'Z'),
    endInclusive: input.endInclusive ?? false,
    holidays: new Set((input.holidays ?? []).map(parseDay)),
  };
}

const plugin = {
  name: 'date-window',

  execute(input, ctx) {
    const options = readOptions(input);
    const anchor = parseAt(input.at, options.offsetMinutes);
    const buckets = buildBuckets(anchor, options);
    const { offsetMinutes, endInclusive } = options;
    const endLocal = (bucket) => (endInclusive ? bucket.next - 1 : bucket.next);
    const first = buckets[0];
    const last = buckets[buckets.length - 1];

    ctx.log?.debug?.({ period: options.period, buckets: buckets.length }, 'window built');
    return {
      period: options.period,
      utcOffset: offsetText(offsetMinutes),
      endInclusive,
      start: formatLocal(first.start, offsetMinutes),
      end: formatLocal(endLocal(last), offsetMinutes),
      startMs: first.startMs,
      endMs: last.endMs,
      days: buckets.reduce((sum, b) => sum + b.days, 0),
      businessDays: buckets.reduce((sum, b) => sum + b.businessDays, 0),
      buckets: buckets.map((b) => ({
        label: b.label,
        start: formatLocal(b.start, offsetMinutes),
        end: formatLocal(endLocal(b), offsetMinutes),
        startMs: b.startMs,
        endMs: b.endMs,
        days: b.days,
        businessDays: b.businessDays,
      })),
    };
  },

  help() {
    return [
      'date-window: reporting windows and buckets around a date, in a fixed UTC offset.',
      'input:  { at: "2024-03-31" | "2024-03-31T18:00:00Z", period: day|week|month|quarter|year, utcOffset?, weekStart?, count?, shift?, endInclusive?, holidays? }',
      'output: { period, utcOffset, endInclusive, start, end, startMs, endMs, days, businessDays, buckets[] }',
    ].join('\n');
  },
};

export default plugin;
