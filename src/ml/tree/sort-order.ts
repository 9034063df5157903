/**
 * Ascending order of a column's values by LSD radix sort on their IEEE-754 bits: binning needs
 * both the sorted values (for its edges) and each row's rank (to give every row its bin in one
 * forward walk, instead of a binary search per row). The order it yields sorts the values exactly
 * as Float64Array.prototype.sort does: −0 before +0, every NaN last.
 */
const DIGIT_BITS = 11;
const RADIX = 1 << DIGIT_BITS;
const MASK = RADIX - 1;
/** Bit offsets of the digits within each 32-bit half: 0–10, 11–21, 22–31. */
const SHIFTS = [0, DIGIT_BITS, 2 * DIGIT_BITS];
/** Where a float's high 32 bits sit in its pair of 32-bit words. */
const HIGH_WORD = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 1 : 0;
const LOW_WORD = 1 - HIGH_WORD;

/** Reusable buffers for columns of up to `capacity` values. */
export class ColumnSorter {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly spare: Uint32Array;
  private readonly counts = new Uint32Array(RADIX);

  constructor(capacity: number) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.spare = new Uint32Array(capacity);
  }

  /** Writes into `order` the indices of `values` in ascending order of value (a stable sort). */
  order(values: Float64Array, order: Uint32Array): void {
    const n = values.length;
    if (order.length !== n || n > this.spare.length) throw new RangeError(`ColumnSorter: ${n} values, order of ${order.length}, capacity ${this.spare.length}`);
    const { hi, lo } = this;
    const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      let h = words[2 * i + HIGH_WORD]!, l = words[2 * i + LOW_WORD]!;
      if (values[i] !== values[i]) (h = 0xffffffff), (l = 0xffffffff); // NaN last, as the built-in sort
      else if (h & 0x80000000) (h = ~h >>> 0), (l = ~l >>> 0); // negative: larger magnitude first
      else h = (h | 0x80000000) >>> 0; // positive (and +0): after every negative (and −0)
      hi[i] = h;
      lo[i] = l;
      order[i] = i;
    }
    let from = order, to = this.spare;
    for (const key of [lo, hi]) {
      for (const shift of SHIFTS) {
        if (this.pass(key, shift, from, to, n)) [from, to] = [to, from];
      }
    }
    if (from !== order) order.set(from);
  }

  /** One counting pass on `key`'s digit at `shift`, from → to; false (nothing moved) when every value shares the digit. */
  private pass(key: Uint32Array, shift: number, from: Uint32Array, to: Uint32Array, n: number): boolean {
    const counts = this.counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i]! >>> shift) & MASK]!++;
    if (counts[(key[0]! >>> shift) & MASK] === n) return false;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = from[i]!;
      to[counts[(key[r]! >>> shift) & MASK]!++] = r;
    }
    return true;
  }
}
