/**
 * A set of integers kept as sorted, disjoint, non-adjacent closed ranges. Consecutive trade ids
 * (or window indexes) cost one range whatever their number, so a day of a busy symbol is a few
 * numbers in memory. Adding in ascending order (the usual case) is O(1).
 */
export type Range = readonly [from: number, to: number];

/** A set's ranges for a report: the first `limit` ranges, the total count, and whether more exist. */
export interface RangeSummary {
  count: number;
  ranges: [number, number][];
  truncated: boolean;
}

export class RangeSet {
  #from: number[] = [];
  #to: number[] = [];
  #size = 0;

  static of(...values: (number | Range)[]): RangeSet {
    const s = new RangeSet();
    for (const v of values) typeof v === "number" ? s.add(v) : s.addRange(v[0], v[1]);
    return s;
  }

  /** Number of integers in the set. */
  get size(): number {
    return this.#size;
  }

  get rangeCount(): number {
    return this.#from.length;
  }

  get min(): number | undefined {
    return this.#from[0];
  }

  get max(): number | undefined {
    return this.#to[this.#to.length - 1];
  }

  /** Adds one integer; false when it was already there. */
  add(n: number): boolean {
    const last = this.#to.length - 1;
    if (last < 0 || n > this.#to[last]! + 1) {
      this.#from.push(n);
      this.#to.push(n);
      this.#size++;
      return true;
    }
    if (n === this.#to[last]! + 1) {
      this.#to[last] = n;
      this.#size++;
      return true;
    }
    const before = this.#size;
    this.addRange(n, n);
    return this.#size > before;
  }

  /** Adds every integer of [from, to]; returns how many were new. */
  addRange(from: number, to: number): number {
    if (to < from) return 0;
    // lo: first range that touches or follows [from, to]; hi: last range that touches or precedes it.
    const lo = this.#firstEndingAtOrAfter(from - 1);
    let hi = lo - 1;
    while (hi + 1 < this.#from.length && this.#from[hi + 1]! <= to + 1) hi++;
    let start = from;
    let end = to;
    let covered = 0;
    for (let i = lo; i <= hi; i++) {
      start = Math.min(start, this.#from[i]!);
      end = Math.max(end, this.#to[i]!);
      covered += this.#to[i]! - this.#from[i]! + 1;
    }
    this.#from.splice(lo, hi - lo + 1, start);
    this.#to.splice(lo, hi - lo + 1, end);
    const added = end - start + 1 - covered;
    this.#size += added;
    return added;
  }

  has(n: number): boolean {
    const i = this.#firstEndingAtOrAfter(n);
    return i < this.#from.length && this.#from[i]! <= n;
  }

  *ranges(): IterableIterator<Range> {
    for (let i = 0; i < this.#from.length; i++) yield [this.#from[i]!, this.#to[i]!];
  }

  summary(limit: number): RangeSummary {
    const ranges: [number, number][] = [];
    for (let i = 0; i < this.#from.length && i < limit; i++) ranges.push([this.#from[i]!, this.#to[i]!]);
    return { count: this.#size, ranges, truncated: this.#from.length > limit };
  }

  /** Index of the first range whose end is ≥ n (binary search). */
  #firstEndingAtOrAfter(n: number): number {
    let lo = 0;
    let hi = this.#to.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#to[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Members of `a` that are not in `b` (a linear sweep over both range lists). */
export function difference(a: RangeSet, b: RangeSet): RangeSet {
  const out = new RangeSet();
  const bs = [...b.ranges()];
  let j = 0;
  for (const [from, to] of a.ranges()) {
    let cursor = from;
    while (j < bs.length && bs[j]![1] < cursor) j++;
    let k = j;
    while (cursor <= to && k < bs.length && bs[k]![0] <= to) {
      const [bf, bt] = bs[k]!;
      if (bf > cursor) out.addRange(cursor, bf - 1);
      cursor = Math.max(cursor, bt + 1);
      k++;
    }
    if (cursor <= to) out.addRange(cursor, to);
  }
  return out;
}

/** Members of `a` within [from, to]. */
export function clip(a: RangeSet, from: number, to: number): RangeSet {
  const out = new RangeSet();
  for (const [f, t] of a.ranges()) {
    if (t < from) continue;
    if (f > to) break;
    out.addRange(Math.max(f, from), Math.min(t, to));
  }
  return out;
}

/** The integers between a set's smallest and largest member that it lacks. */
export function holes(a: RangeSet): RangeSet {
  const out = new RangeSet();
  let prev: number | undefined;
  for (const [f, t] of a.ranges()) {
    if (prev !== undefined) out.addRange(prev + 1, f - 1);
    prev = t;
  }
  return out;
}
