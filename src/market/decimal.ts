/**
 * Decimal helpers for Binance's string prices and quantities.
 * Hand-written char loops instead of regexes: these run once per field per trade (100k+/s).
 */

/**
 * The value of a plain unsigned decimal string ("123", "0.001", "61837.63000000"), or NaN for
 * anything else: empty, a sign, an exponent, spaces, several dots, "Infinity", "0x10".
 */
export function parseUnsignedDecimal(text: string): number {
  const n = text.length;
  if (n === 0 || n > 64) return NaN;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && dots === 0) dots++;
    else return NaN;
  }
  return digits === 0 ? NaN : Number(text);
}

/** Binance quotes quantities with at most 8 decimals; sums are kept in integer units of 1e-8. */
export const QUANTITY_SCALE = 1e8;

/**
 * `q` in integer units of 1e-8, or -1 when `q` is not (the double nearest to) a decimal with at
 * most 8 decimals, or is too large for exact integer arithmetic.
 */
export function quantityUnits(q: number): number {
  const u = Math.round(q * QUANTITY_SCALE);
  return u / QUANTITY_SCALE === q && u <= Number.MAX_SAFE_INTEGER ? u : -1;
}

/**
 * A sum of quantities that is decimal-exact whenever every term has at most 8 decimals: integer
 * units add without rounding, and one final division gives the double nearest to the exact
 * decimal sum. Otherwise it falls back to the plain float sum (and says so via `exact`).
 * A plain object so window and candle states stay JSON.
 */
export interface QuantitySum {
  units: number;
  float: number;
  exact: boolean;
}

export function emptyQuantitySum(): QuantitySum {
  return { units: 0, float: 0, exact: true };
}

export function addQuantity(sum: QuantitySum, q: number): void {
  sum.float += q;
  if (sum.exact) {
    const u = quantityUnits(q);
    if (u < 0 || sum.units + u > Number.MAX_SAFE_INTEGER) sum.exact = false;
    else sum.units += u;
  }
}

export function mergeQuantitySums(into: QuantitySum, other: QuantitySum): void {
  into.float += other.float;
  into.exact = into.exact && other.exact && into.units + other.units <= Number.MAX_SAFE_INTEGER;
  if (into.exact) into.units += other.units;
}

export function quantitySumValue(sum: QuantitySum): number {
  return sum.exact ? sum.units / QUANTITY_SCALE : sum.float;
}

/** Event times above this are microseconds (1e14 ms is the year 5138; 1e14 µs is 1973). */
const MICROS_THRESHOLD = 1e14;

/**
 * A Binance timestamp in whole milliseconds: values that can only be microseconds
 * (data.binance.vision spot files from 2025, or `timeUnit=MICROSECOND` streams) are floored to ms.
 * Sub-millisecond order is then carried by the trade id.
 */
export function toMillis(t: number): number {
  return t >= MICROS_THRESHOLD ? Math.floor(t / 1000) : t;
}
