import { loadCurrencyTable, resolveCurrency } from './currencies.js';
import { roundMinor, toBigIntAmount, toDecimalString, ROUNDING_MODES } from './amount.js';

const formatters = new Map();

// Building an Intl.NumberFormat costs far more than using one; invoices render
// thousands of amounts with the same handful of option sets.
function formatterFor(locale, options) {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

const plugin = {
  name: 'money-format',

  init() {
    loadCurrencyTable();
  },

  validate() {
    for (const [code, entry] of Object.entries(loadCurrencyTable())) {
      if (!Number.isInteger(entry.minorUnits)) throw new Error(`currencies.json: ${code} has no minorUnits`);
    }
  },

  execute(input, ctx) {
    const currency = resolveCurrency(loadCurrencyTable(), input.currency);
    const locale = input.locale ?? 'en-US';
    const digits = input.fractionDigits ?? currency.minorUnits;
    if (digits > currency.minorUnits) {
      throw new RangeError(`${currency.code} has ${currency.minorUnits} minor digits; cannot show ${digits}`);
    }
    const rounding = input.rounding ?? 'halfExpand';
    if (!ROUNDING_MODES.includes(rounding)) throw new RangeError(`unknown rounding mode "${rounding}"`);

    const amountMinor = toBigIntAmount(input.amountMinor);
    const units = roundMinor(amountMinor, currency.minorUnits - digits, rounding);
    const major = toDecimalString(units, digits);

    const formatted = formatterFor(locale, {
      style: 'currency',
      currency: currency.code,
      currencyDisplay: input.display ?? 'symbol',
      currencySign: input.accounting ? 'accounting' : 'standard',
      signDisplay: input.signDisplay ?? 'auto',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(major); // a string argument is formatted as an exact decimal, no float detour

    ctx.log?.debug?.({ currency: currency.code, locale }, 'formatted amount');
    return { formatted, currency: currency.code, minorUnits: currency.minorUnits, major, fractionDigits: digits };
  },

  help() {
    return [
      'money-format: format an amount in minor units (cents) for display.',
      'input:  { amountMinor: integer | "digits", currency: "EUR", locale?, display?, signDisplay?, accounting?, fractionDigits?, rounding? }',
      'output: { formatted, currency, minorUnits, major, fractionDigits }',
      `rounding modes: ${ROUNDING_MODES.join(', ')}`,
    ].join('\n');
  },
};

export default plugin;
