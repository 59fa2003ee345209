// All arithmetic happens on BigInt minor units. Floating point cannot represent
// 0.1 + 0.2, and ledger amounts exceed 2^53 for some currencies (KRW, CLP).

const MODES = {
  // Ties away from zero: what most invoices and Intl's default do.
  halfExpand: (q, r, step) => (2n * abs(r) >= step ? q + sign(r) : q),
  // Banker's rounding: used for aggregated reports so rounding errors cancel out.
  halfEven: (q, r, step) => {
    const twice = 2n * abs(r);
    if (twice > step || (twice === step && q % 2n !== 0n)) return q + sign(r);
    return q;
  },
  trunc: (q) => q,
  floor: (q, r) => (r < 0n ? q - 1n : q),
  ceil: (q, r) => (r > 0n ? q + 1n : q),
};

export const ROUNDING_MODES = Object.keys(MODES);

function abs(n) {
  return n < 0n ? -n : n;
}

function sign(n) {
  if (n === 0n) return 0n;
  return n < 0n ? -1n : 1n;
}

/** Parses an integer amount given as a JSON number or as a decimal string (bigint columns). */
export function toBigIntAmount(value) {
  if (typeof value === 'string' && !/^\d+$/.test(value)) throw new RangeError(`amountMinor "${value}" is not a string of digits`);
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`amountMinor ${value} is not a safe integer; pass it as a string`);
  }
  return BigInt(value);
}

/**
 * Drops `dropDigits` decimal digits from `amount`, rounding with `mode`.
 * Returns the amount expressed in the coarser unit.
 */
export function roundMinor(amount, dropDigits, mode = 'halfExpand') {
  const step = 10n ** BigInt(dropDigits);
  if (step === 1n) return amount;
  const quotient = amount / step; // BigInt division truncates toward zero
  const remainder = amount % step;
  return MODES[mode](quotient, remainder, step);
}

/** Renders integer `units` with `digits` fraction digits as an exact decimal string. */
export function toDecimalString(units, digits) {
  const negative = units < 0n;
  const text = abs(units).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
