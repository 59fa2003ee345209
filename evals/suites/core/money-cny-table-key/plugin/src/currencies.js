import { readFileSync } from 'node:fs';

const TABLE_URL = new URL('../data/currencies.json', import.meta.url);

let cached = null;

/** The ISO 4217 table, read once per process. */
export function loadCurrencyTable() {
  if (cached === null) {
    const { currencies } = JSON.parse(readFileSync(TABLE_URL, 'utf8'));
    cached = currencies;
  }
  return cached;
}

/**
 * Resolves a currency code to its table entry. Codes arrive in whatever case the
 * upstream system stores them (Stripe uses lower case), so matching is case-insensitive.
 */
export function resolveCurrency(table, code) {
  const upper = code.toUpperCase();
  if (!Object.hasOwn(table, upper)) {
    throw new RangeError(`unsupported currency "${code}"`);
  }
  return { code: upper, ...table[upper] };
}
