import { test } from "node:test";
import assert from "node:assert/strict";
import { clip, difference, holes, RangeSet, type Range } from "../../src/verify/range-set.js";

const rangesOf = (s: RangeSet): Range[] => [...s.ranges()];

test("ascending adds merge into one range; a repeat is reported", () => {
  const s = new RangeSet();
  for (let i = 100; i < 100_100; i++) assert.equal(s.add(i), true);
  assert.equal(s.add(500), false);
  assert.equal(s.rangeCount, 1);
  assert.equal(s.size, 100_000);
  assert.deepEqual([s.min, s.max], [100, 100_099]);
});

test("out-of-order adds and ranges keep the set sorted, disjoint and non-adjacent", () => {
  const cases: { adds: (number | Range)[]; want: Range[]; size: number }[] = [
    { adds: [5, 3, 4], want: [[3, 5]], size: 3 },
    { adds: [10, 1, 5], want: [[1, 1], [5, 5], [10, 10]], size: 3 },
    { adds: [[1, 3], [7, 9], 5], want: [[1, 3], [5, 5], [7, 9]], size: 7 },
    { adds: [[1, 3], [7, 9], [4, 6]], want: [[1, 9]], size: 9 },
    { adds: [[1, 3], [7, 9], [2, 8]], want: [[1, 9]], size: 9 },
    { adds: [[10, 20], [0, 5], [30, 40], [6, 9]], want: [[0, 20], [30, 40]], size: 32 },
    { adds: [[5, 4]], want: [], size: 0 },
  ];
  for (const c of cases) {
    const s = RangeSet.of(...c.adds);
    assert.deepEqual(rangesOf(s), c.want, JSON.stringify(c.adds));
    assert.equal(s.size, c.size, JSON.stringify(c.adds));
  }
});

test("has, difference, clip and holes", () => {
  const a = RangeSet.of([1, 10], [20, 30]);
  const b = RangeSet.of([3, 4], [9, 22], 30, [40, 50]);
  assert.equal(a.has(10), true);
  assert.equal(a.has(11), false);
  assert.equal(a.has(0), false);
  assert.deepEqual(rangesOf(difference(a, b)), [[1, 2], [5, 8], [23, 29]]);
  assert.deepEqual(rangesOf(difference(b, a)), [[11, 19], [40, 50]]);
  assert.deepEqual(rangesOf(difference(a, new RangeSet())), [[1, 10], [20, 30]]);
  assert.deepEqual(rangesOf(difference(new RangeSet(), a)), []);
  assert.deepEqual(rangesOf(clip(a, 5, 25)), [[5, 10], [20, 25]]);
  assert.deepEqual(rangesOf(holes(b)), [[5, 8], [23, 29], [31, 39]]);
});

test("summary keeps the first ranges and says when it cut", () => {
  const s = RangeSet.of(1, 3, 5, 7);
  assert.deepEqual(s.summary(2), { count: 4, ranges: [[1, 1], [3, 3]], truncated: true });
  assert.deepEqual(s.summary(10).truncated, false);
});
