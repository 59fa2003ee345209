import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundMinor, toDecimalString, toBigIntAmount } from '../src/amount.js';

test('renders exact decimal strings for 0, 2 and 3 digit currencies', () => {
  assert.equal(toDecimalString(123456n, 2), '1234.56');
  assert.equal(toDecimalString(5n, 2), '0.05');
  assert.equal(toDecimalString(-5n, 3), '-0.005');
  assert.equal(toDecimalString(1234n, 0), '1234');
});

test('rounds half away from zero by default', () => {
  assert.equal(roundMinor(12345n, 1), 1235n);
  assert.equal(roundMinor(-12345n, 1), -1235n);
  assert.equal(roundMinor(12344n, 1), 1234n);
  assert.equal(roundMinor(150n, 2), 2n);
});

test("banker's rounding sends ties to the even neighbour", () => {
  assert.equal(roundMinor(125n, 1, 'halfEven'), 12n);
  assert.equal(roundMinor(135n, 1, 'halfEven'), 14n);
  assert.equal(roundMinor(-125n, 1, 'halfEven'), -12n);
  assert.equal(roundMinor(126n, 1, 'halfEven'), 13n);
});

test('directed rounding modes', () => {
  assert.equal(roundMinor(-121n, 1, 'floor'), -13n);
  assert.equal(roundMinor(121n, 1, 'ceil'), 13n);
  assert.equal(roundMinor(-129n, 1, 'trunc'), -12n);
  assert.equal(roundMinor(120n, 1, 'ceil'), 12n);
});

test('accepts big amounts as strings but refuses unsafe numbers', () => {
  assert.equal(toBigIntAmount('9007199254740993123'), 9007199254740993123n);
  assert.equal(toBigIntAmount(-42), -42n);
  assert.throws(() => toBigIntAmount(2 ** 60), RangeError);
});
