export class ConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ConfigError';
  }
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);
const show = (value) => JSON.stringify(value);

/**
 * "250ms", "30s", "1.5h", "1h30m" → whole milliseconds. A JSON number is already
 * milliseconds (configs written before durations had units).
 */
export function parseDuration(value, where) {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`${where}: a duration in milliseconds must be a non-negative integer, got ${value}`);
    return value;
  }
  const text = String(value).trim();
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(text)) throw new ConfigError(`${where}: invalid duration ${show(value)}; expected numbers with units (ms, s, m, h, d) such as 250ms, 30s, 1.5h or 1h30m`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(amount) * UNIT_MS[unit];
  return Math.round(total);
}

/** One coercer per spec type: JSON values arrive typed, environment overrides as strings. */
export const COERCERS = {
  string(value, where) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ConfigError(`${where}: expected a string, got ${show(value)}`);
  },
  integer(value, where) {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (!Number.isSafeInteger(n)) throw new ConfigError(`${where}: expected an integer, got ${show(value)}`);
    return n;
  },
  number(value, where) {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigError(`${where}: expected a number, got ${show(value)}`);
    return n;
  },
  boolean(value, where) {
    if (typeof value === 'boolean') return value;
    const word = String(value).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new ConfigError(`${where}: expected a boolean (true/false, yes/no, on/off, 1/0), got ${show(value)}`);
  },
  duration: parseDuration,
  list(value, where) {
    const items = Array.isArray(value) ? value : String(value).split(',');
    if (items.some((item) => typeof item === 'object' && item !== null)) throw new ConfigError(`${where}: a list holds strings, got ${show(value)}`);
    return items.map((item) => String(item).trim()).filter((item) => item !== '');
  },
};
