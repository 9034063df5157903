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
  assert.deepEqual(partitionLagTotals(rows), { total: 132, worst: rows[0], partitions: 4 });
});

test("partition lag totals with no consumers", () => {
  assert.deepEqual(partitionLagTotals(partitionLagRows([{ nodeId: "a", partitionLag: [] }])), { total: 0, worst: undefined, partitions: 0 });
});
