import { test } from "node:test";
import assert from "node:assert/strict";
import { ownerFor, placementTable, rankFor, rendezvousPlacement } from "../../src/runtime/cluster/leases/placement.js";
import { planPartition, rankBy } from "../../src/runtime/cluster/leases/rebalance.js";
import { InMemoryPlacementCluster } from "../fixtures/cluster-placement.js";

const nodes3 = ["node-a", "node-b", "node-c"];

test("ownerFor is deterministic and independent of the node list order", () => {
  for (let p = 0; p < 32; p++) {
    const a = ownerFor(p, nodes3);
    assert.equal(ownerFor(p, [...nodes3].reverse()), a);
    assert.equal(ownerFor(p, [nodes3[1]!, nodes3[2]!, nodes3[0]!]), a);
    assert.ok(a !== undefined && nodes3.includes(a));
  }
  assert.equal(ownerFor(0, []), undefined);
});

test("32 partitions over 3 nodes: every node gets some, none gets most", () => {
  for (const nodes of [nodes3, ["n1", "n2", "n3"], ["10.0.0.1", "10.0.0.2", "10.0.0.3"], ["x", "y", "z"]]) {
    const counts = new Map<string, number>();
    for (const owner of placementTable(rendezvousPlacement, 32, nodes)) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
    assert.equal(counts.size, 3, `all of ${nodes} own something`);
    for (const [n, c] of counts) assert.ok(c >= 4 && c <= 18, `${n} owns ${c} of 32`);
  }
});

test("a node leaving moves only its own partitions", () => {
  const before = placementTable(rendezvousPlacement, 32, nodes3);
  const after = placementTable(rendezvousPlacement, 32, ["node-a", "node-c"]);
  for (let p = 0; p < 32; p++) {
    if (before[p] !== "node-b") assert.equal(after[p], before[p], `p${p} stayed`);
    else assert.notEqual(after[p], "node-b");
  }
});

test("a node joining takes partitions only for itself, about 1/N", () => {
  const before = placementTable(rendezvousPlacement, 32, nodes3);
  const after = placementTable(rendezvousPlacement, 32, [...nodes3, "node-d"]);
  let moved = 0;
  for (let p = 0; p < 32; p++) {
    if (after[p] !== before[p]) {
      moved++;
      assert.equal(after[p], "node-d", `p${p} moved only to the newcomer`);
    }
  }
  assert.ok(moved >= 2 && moved <= 16, `moved ${moved}`);
});

test("rankFor and rankBy agree; rank 0 is the owner", () => {
  for (let p = 0; p < 32; p++) {
    const r = rankFor(p, nodes3);
    assert.deepEqual(rankBy(rendezvousPlacement, p, nodes3), r);
    assert.equal(r[0], ownerFor(p, nodes3));
    assert.equal(r[1], ownerFor(p, nodes3.filter((n) => n !== r[0])));
  }
});

test("in-memory fixture: joins and leaves keep every partition owned and move the minimum", () => {
  const cluster = new InMemoryPlacementCluster(rendezvousPlacement, 32);
  cluster.join("a");
  assert.deepEqual(cluster.counts(), { a: 32 });
  cluster.join("b");
  cluster.join("c");
  const three = cluster.snapshot();
  assert.equal(Object.keys(cluster.counts()).length, 3);
  const movedOnLeave = cluster.leave("b");
  assert.equal(movedOnLeave, three.filter((o) => o === "b").length);
  const movedOnRejoin = cluster.join("b");
  assert.equal(movedOnRejoin, movedOnLeave, "b gets back exactly what it had");
  assert.deepEqual(cluster.snapshot(), three);
});

const settings = { takeoverGraceMs: 100, takeoverHoldMs: 1000 };
const base = { partition: 7, self: "node-a", eligible: nodes3, holder: undefined, freeForMs: 0, heldForMs: 0, tookOver: false };

test("planner: desired owner acquires a free partition at once, the k-th ranked after k × grace", () => {
  const rank = rankFor(7, nodes3);
  for (const [k, self] of rank.entries()) {
    const facts = { ...base, self, phase: "idle" as const };
    assert.equal(planPartition({ ...facts, freeForMs: k * 100 }, settings, rendezvousPlacement), "acquire", `rank ${k}`);
    if (k > 0) assert.equal(planPartition({ ...facts, freeForMs: k * 100 - 1 }, settings, rendezvousPlacement), "none", `rank ${k} waits`);
  }
});

test("planner: held partitions, busy slots and ineligible nodes are left alone", () => {
  const desired = ownerFor(7, nodes3)!;
  assert.equal(planPartition({ ...base, self: desired, phase: "idle", holder: "other" }, settings, rendezvousPlacement), "none");
  assert.equal(planPartition({ ...base, self: desired, phase: "busy" }, settings, rendezvousPlacement), "none");
  assert.equal(planPartition({ ...base, self: "outsider", phase: "idle", freeForMs: 1e9 }, settings, rendezvousPlacement), "none");
});

test("planner: hand over to the desired owner, but keep a taken-over partition for the hold time", () => {
  const [desired, second] = rankFor(7, nodes3) as [string, string];
  const running = { ...base, self: second, phase: "running" as const, holder: second };
  assert.equal(planPartition(running, settings, rendezvousPlacement), "handoff");
  assert.equal(planPartition({ ...running, tookOver: true, heldForMs: 999 }, settings, rendezvousPlacement), "none");
  assert.equal(planPartition({ ...running, tookOver: true, heldForMs: 1000 }, settings, rendezvousPlacement), "handoff");
  assert.equal(planPartition({ ...running, self: desired, holder: desired }, settings, rendezvousPlacement), "none");
  assert.equal(planPartition({ ...running, eligible: [second] }, settings, rendezvousPlacement), "none", "desired owner gone");
});
