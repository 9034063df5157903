import { test } from "node:test";
import assert from "node:assert/strict";
import { seededRng } from "../../src/ml/rng.js";
import { binEdges, binMatrix, binOf } from "../../src/ml/tree/binning.js";
import { ColumnSorter } from "../../src/ml/tree/sort-order.js";

const rng = seededRng(7);
const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** NaNs with the sign bit set (what x86 makes of ∞ − ∞) at `at`, written as bits: a JS number may lose them. */
function withNegativeNaNs(list: number[], at: number[]): Float64Array {
  const values = Float64Array.from(list);
  const view = new DataView(values.buffer);
  for (const i of at) view.setBigUint64(i * 8, 0xfff8000000000000n, littleEndian);
  return values;
}

const cases: [string, Float64Array][] = [
  ["empty", Float64Array.of()],
  ["one value", Float64Array.of(3.5)],
  ["signs, zeros and infinities", Float64Array.of(0, -0, 1, -1, Infinity, -Infinity, 0, -0, 2.5e-308, -2.5e-308, 5e-324, -5e-324)],
  ["NaNs of either sign", withNegativeNaNs([NaN, 2, 0, -3, 0, NaN, -Infinity], [2, 4])],
  ["many ties (stable)", Float64Array.from({ length: 500 }, () => Math.floor(rng() * 5) - 2)],
  ["scaled returns", Float64Array.from({ length: 3000 }, () => (rng() - 0.5) * 1e-3)],
  ["wide magnitudes", Float64Array.from({ length: 3000 }, () => (rng() < 0.5 ? -1 : 1) * Math.exp((rng() - 0.5) * 200))],
  ["all equal", Float64Array.from({ length: 100 }, () => 42)],
];

test("the negative-NaN case holds NaNs with the sign bit set", () => {
  const values = cases.find(([name]) => name === "NaNs of either sign")![1];
  assert.ok(Number.isNaN(values[2]) && new DataView(values.buffer).getUint8(2 * 8 + (littleEndian ? 7 : 0)) === 0xff);
});

/** Reference: stable ascending order with Float64Array.prototype.sort's ordering (−0 < +0, NaN last). */
function reference(values: Float64Array): number[] {
  const rank = (v: number) => (Number.isNaN(v) ? 2 : Object.is(v, -0) ? -1 : 0);
  return Array.from(values.keys()).sort((a, b) => {
    const va = values[a]!, vb = values[b]!;
    if (Number.isNaN(va) || Number.isNaN(vb) || va === vb) return rank(va) - rank(vb) || a - b;
    return va - vb;
  });
}

for (const [name, values] of cases) {
  test(`ColumnSorter orders like the built-in sort, stably: ${name}`, () => {
    const order = new Uint32Array(values.length);
    new ColumnSorter(values.length + 3).order(values, order);
    assert.deepEqual(Array.from(order), reference(values));
    const sorted = Array.from(order, (i) => values[i]!);
    assert.deepEqual(sorted, Array.from(values.slice().sort()), "the same values, -0 and NaN placed alike");
  });
}

test("binMatrix gives every row binOf of its value under the edges of the sorted column", () => {
  const rows = 4000, cols = 3;
  const x = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    x[i * cols] = (rng() - 0.5) * 1e-2; // continuous: quantile bins
    x[i * cols + 1] = Math.floor(rng() * 40) / 8 - 2; // 40 distinct values: one bin each
    x[i * cols + 2] = rng() < 0.7 ? 0 : rng(); // a heavy value
  }
  for (const maxBins of [2, 16, 256]) {
    const bm = binMatrix(x, rows, cols, maxBins);
    for (let f = 0; f < cols; f++) {
      const column = Float64Array.from({ length: rows }, (_, i) => x[i * cols + f]!);
      const edges = binEdges(column.slice().sort(), maxBins);
      assert.deepEqual(bm.edges[f], edges, `edges of feature ${f}, ${maxBins} bins`);
      for (let i = 0; i < rows; i++) assert.equal(bm.bins[i * cols + f], binOf(edges, column[i]!), `row ${i}, feature ${f}, ${maxBins} bins`);
    }
  }
});

test("ColumnSorter refuses an order of the wrong length or a column above its capacity", () => {
  assert.throws(() => new ColumnSorter(2).order(Float64Array.of(1, 2, 3), new Uint32Array(3)), RangeError);
  assert.throws(() => new ColumnSorter(4).order(Float64Array.of(1, 2), new Uint32Array(3)), RangeError);
});
