import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import plugin from '../src/index.js';

const NBSP = '\u00a0';
const noop = () => {};
const ctx = {
  env: {},
  log: { debug: noop, info: noop, warn: noop, error: noop },
  signal: new AbortController().signal,
  workdir: fileURLToPath(new URL('..', import.meta.url)),
};

const format = (input) => plugin.execute(input, ctx);

test('the currency table loads and validates', () => {
  plugin.init(ctx);
  assert.doesNotThrow(() => plugin.validate(ctx));
});

test('formats cents for US and German locales', () => {
  assert.equal(format({ amountMinor: 123456, currency: 'USD' }).formatted, '$1,234.56');
  assert.equal(format({ amountMinor: 123456, currency: 'EUR', locale: 'de-DE' }).formatted, `1.234,56${NBSP}€`);
});

test('uses the ISO 4217 minor units of each currency', () => {
  const yen = format({ amountMinor: 1234, currency: 'JPY', locale: 'ja-JP' });
  assert.deepEqual({ major: yen.major, minorUnits: yen.minorUnits }, { major: '1234', minorUnits: 0 });
  const dinar = format({ amountMinor: 1234, currency: 'KWD' });
  assert.equal(dinar.major, '1.234');
  assert.equal(dinar.formatted, `KWD${NBSP}1.234`);
});

test('keeps precision for amounts beyond 2^53 given as strings', () => {
  const out = format({ amountMinor: '9007199254740993123', currency: 'KRW', locale: 'en-US' });
  assert.equal(out.major, '9007199254740993123');
  assert.equal(out.formatted, '₩9,007,199,254,740,993,123');
});

test('sign display and accounting negatives', () => {
  assert.equal(format({ amountMinor: -500, currency: 'USD', accounting: true }).formatted, '($5.00)');
  assert.equal(format({ amountMinor: 250, currency: 'GBP', locale: 'en-GB', signDisplay: 'always' }).formatted, '+£2.50');
  assert.equal(format({ amountMinor: 0, currency: 'GBP', locale: 'en-GB', signDisplay: 'exceptZero' }).formatted, '£0.00');
  assert.equal(format({ amountMinor: 250, currency: 'EUR', display: 'code' }).formatted, `EUR${NBSP}2.50`);
});

test('shows fewer digits with the requested rounding', () => {
  assert.equal(format({ amountMinor: 12345, currency: 'CHF', fractionDigits: 1 }).major, '123.5');
  assert.equal(format({ amountMinor: 12345, currency: 'CHF', fractionDigits: 0, rounding: 'floor' }).major, '123');
  assert.equal(format({ amountMinor: 1250, currency: 'SEK', fractionDigits: 1, rounding: 'halfEven' }).major, '12.5');
});

test('rejects unknown currencies and impossible precision', () => {
  assert.throws(() => format({ amountMinor: 1, currency: 'XAU' }), /unsupported currency "XAU"/);
  assert.throws(() => format({ amountMinor: 1, currency: 'JPY', fractionDigits: 2 }), /JPY has 0 minor digits/);
  assert.throws(() => format({ amountMinor: 1, currency: 'USD', rounding: 'up' }), /unknown rounding mode/);
});
