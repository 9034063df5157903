import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ClusterNode, type Placement } from "../../src/runtime/cluster/index.js";
import { RunLedger } from "./recording-host.js";

const timing = { heartbeatMs: 200, memberTtlMs: 1500, leaseTtlMs: 2000 };

const roleCases: { placementRole: string | string[]; w1: string[]; w2: string[] }[] = [
  { placementRole: "worker", w1: ["worker"], w2: ["worker", "web"] },
  // As the platform places them: on nodes with a partition-hosting role (market or lake), not on ingest/web-only ones.
  { placementRole: ["market", "lake"], w1: ["market"], w2: ["lake", "web"] },
];

for (const c of roleCases) test(`placementRole ${JSON.stringify(c.placementRole)}: only members with the role own partitions`, async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const spec = [
    { id: "w1", roles: c.w1 },
    { id: "w2", roles: c.w2 },
    { id: "web", roles: ["web"] },
  ];
  const ncs = await Promise.all(spec.map((s) => connectNats(server.url, s.id)));
  const nodes = spec.map((s, i) => new ClusterNode({ nc: ncs[i]!, nodeId: s.id, roles: s.roles, placementRole: c.placementRole, host: ledger.hostFor(s.id), partitionCount: 16, ...timing }));
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitFor(() => ledger.running.size === 16 && nodes[0]!.ownedPartitions().size > 0 && nodes[1]!.ownedPartitions().size > 0, {
      timeoutMs: 30_000,
      what: "16 partitions over the two workers",
    });
    assert.equal(nodes[2]!.ownedPartitions().size, 0);
    assert.ok([...ledger.running.values()].every((n) => n !== "web"));
    assert.ok(nodes[2]!.status().partitions.every((row) => row.desired !== "web"));
  } finally {
    for (const n of nodes) await n[Symbol.asyncDispose]();
    for (const nc of ncs) await nc.close();
  }
  assert.deepEqual(ledger.overlaps, []);
});

test("any Placement plugs in: one that prefers a pinned node moves everything there", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const pinned: Placement = { ownerFor: (_p, live) => (live.includes("b") ? "b" : [...live].sort()[0]) };
  const ncs = await Promise.all(["a", "b"].map((id) => connectNats(server.url, id)));
  const [a, b] = ["a", "b"].map((id, i) => new ClusterNode({ nc: ncs[i]!, nodeId: id, placement: pinned, host: ledger.hostFor(id), partitionCount: 8, ...timing })) as [ClusterNode, ClusterNode];
  try {
    await a.start();
    await waitFor(() => a.ownedPartitions().size === 8, { timeoutMs: 30_000, what: "a alone owns all" });
    await b.start();
    await waitFor(() => b.ownedPartitions().size === 8 && a.ownedPartitions().size === 0, { timeoutMs: 30_000, what: "all handed to b" });
    await b.leave();
    await waitFor(() => a.ownedPartitions().size === 8, { timeoutMs: 30_000, what: "back to a after b leaves" });
  } finally {
    await a[Symbol.asyncDispose]();
    await b[Symbol.asyncDispose]();
    for (const nc of ncs) await nc.close();
  }
  assert.deepEqual(ledger.overlaps, []);
});
