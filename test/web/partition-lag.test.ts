import { test } from "node:test";
import assert from "node:assert/strict";
import { partitionLagRows, partitionLagTotals } from "../../src/web/app/system/partition-lag.js";

const lag = (partition: number, backlog: number, pending: number) => ({ region: "symbols", partition, backlog, pending, unhandled: 0 });

test("partition lag rows: every node's consumers, backlog + pending, most lagging first", () => {
  const rows = partitionLagRows([
    { nodeId: "a", partitionLag: [lag(0, 5, 1), lag(3, 0, 0)] },
    { nodeId: "b", partitionLag: [lag(1, 100, 20), lag(2, 5, 1)] },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.node, r.partition, r.lag]),
    [
      ["b", 1, 120],
      ["a", 0, 6],
      ["b", 2, 6],
      ["a", 3, 0],
    ],
  );
  assert.deepEqual(partitionLagTotals(rows), { total: 132, worst: rows[0], partitions: 4, stalled: 0 });
});

test("partition lag totals with no consumers", () => {
  assert.deepEqual(partitionLagTotals(partitionLagRows([{ nodeId: "a", partitionLag: [] }])), { total: 0, worst: undefined, partitions: 0, stalled: 0 });
});

test("stalled partitions come first, longest stalled first, whatever their lag; the totals count them", () => {
  const rows = partitionLagRows([
    { nodeId: "a", partitionLag: [lag(0, 500, 10), { ...lag(4, 1, 0), stalledForMs: 45_000 }] },
    { nodeId: "b", partitionLag: [{ ...lag(1, 3, 0), stalledForMs: 90_000 }, { ...lag(2, 7, 1), stalledForMs: 0 }] },
  ]);
  assert.deepEqual(rows.map((r) => [r.node, r.partition]), [["b", 1], ["a", 4], ["a", 0], ["b", 2]]);
  assert.equal(partitionLagTotals(rows).stalled, 2);
  assert.equal(partitionLagTotals(partitionLagRows([{ nodeId: "a", partitionLag: [lag(0, 5, 1)] }])).stalled, 0, "a node that reports no stall time (older version) counts as moving");
});
