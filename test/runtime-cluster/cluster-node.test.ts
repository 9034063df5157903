import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ClusterNode, type ClusterEvent } from "../../src/runtime/cluster/index.js";
import { Kvm } from "@nats-io/kv";
import { RunLedger } from "./recording-host.js";

const timing = { heartbeatMs: 200, memberTtlMs: 1500, leaseTtlMs: 2000 };

function allOwnedBy(nodes: ClusterNode[], ledger: RunLedger, count = 32): boolean {
  if (ledger.running.size !== count) return false;
  const owned = nodes.map((n) => n.ownedPartitions().size);
  return owned.reduce((a, b) => a + b, 0) === count && owned.every((c) => c >= 1);
}

test("3 nodes on one server own all 32 partitions, each at least one, never one partition twice", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const events: ClusterEvent[] = [];
  const ncs = await Promise.all(["a", "b", "c"].map((id) => connectNats(server.url, `test-${id}`)));
  const nodes = ["a", "b", "c"].map(
    (id, i) => new ClusterNode({ nc: ncs[i]!, nodeId: id, host: ledger.hostFor(id), ...timing, onEvent: (e) => events.push(e) }),
  );
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitFor(() => allOwnedBy(nodes, ledger), { timeoutMs: 30_000, what: "32 partitions spread over 3 nodes" });

    // Every node's view agrees with who actually runs each partition.
    await waitFor(() => nodes.every((n) => Array.from({ length: 32 }, (_, p) => n.ownerOf(p) === ledger.running.get(p)).every(Boolean)), {
      timeoutMs: 10_000,
      what: "views agree",
    });
    const status = nodes[0]!.status();
    assert.equal(status.state, "running");
    assert.deepEqual(status.members.map((m) => m.nodeId), ["a", "b", "c"]);
    assert.equal(status.partitions.length, 32);
    assert.deepEqual(JSON.parse(JSON.stringify(status)), status, "status is plain JSON");

    // Graceful leave: b's partitions go to a and c, and b stopped each before releasing it.
    const bOwned = [...nodes[1]!.ownedPartitions()];
    const fences = new Map(bOwned.map((p) => [p, nodes[1]!.leaseOf(p)!.revision]));
    await nodes[1]!.leave();
    assert.equal(nodes[1]!.state, "stopped");
    await waitFor(() => allOwnedBy([nodes[0]!, nodes[2]!], ledger), { timeoutMs: 30_000, what: "b's partitions taken over" });
    for (const p of bOwned) {
      assert.notEqual(ledger.running.get(p), "b");
      const next = nodes.find((n) => n.ownedPartitions().has(p))!.leaseOf(p)!;
      assert.ok(next.revision > fences.get(p)!, "the fencing token grows with each new owner");
    }
    assert.equal(nodes[1]!.leaseOf(bOwned[0]!), undefined);
    assert.ok(events.some((e) => e.type === "member-left" && e.nodeId === "b" && e.why === "deleted"));
    assert.deepEqual(ledger.overlaps, []);
  } finally {
    for (const n of nodes) await n[Symbol.asyncDispose]();
    for (const nc of ncs) await nc.close();
  }
  assert.deepEqual(ledger.overlaps, [], "no partition ever ran on two hosts");
});

test("a node that joins later gets its share by handoff; a closed connection loses leases without overlap", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const ncA = await connectNats(server.url, "a");
  const ncB = await connectNats(server.url, "b");
  const a = new ClusterNode({ nc: ncA, nodeId: "a", host: ledger.hostFor("a"), ...timing });
  const b = new ClusterNode({ nc: ncB, nodeId: "b", host: ledger.hostFor("b"), ...timing });
  try {
    await a.start();
    await waitFor(() => a.ownedPartitions().size === 32, { timeoutMs: 30_000, what: "a owns everything alone" });
    await b.start();
    await waitFor(() => allOwnedBy([a, b], ledger), { timeoutMs: 30_000, what: "b took its share" });
    assert.ok(ledger.log.some((e) => e.node === "a" && e.op === "stop" && e.reason === "handoff"));

    // Cut a off from NATS without a graceful leave: its renewals fail, it must stop its partitions
    // (lease-lost) before the TTL, and b takes them once the leases expire.
    const aOwned = [...a.ownedPartitions()];
    await ncA.close();
    await waitFor(() => a.ownedPartitions().size === 0, { timeoutMs: 10_000, what: "a stops its partitions" });
    assert.ok(aOwned.every((p) => ledger.log.some((e) => e.node === "a" && e.partition === p && e.reason === "lease-lost")));
    await waitFor(() => b.ownedPartitions().size === 32, { timeoutMs: 30_000, what: "b owns everything" });
  } finally {
    await b[Symbol.asyncDispose]();
    await ncB.close();
  }
  assert.deepEqual(ledger.overlaps, []);
});

test("a partition whose host fails to start is released and retried with backoff, never left running", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const nc = await connectNats(server.url, "flaky");
  const inner = ledger.hostFor("a");
  let failuresLeft = 3;
  const events: ClusterEvent[] = [];
  const host = {
    startPartition: async (p: number) => {
      if (p === 5 && failuresLeft-- > 0) throw new Error("cannot start p5");
      await inner.startPartition(p);
    },
    stopPartition: inner.stopPartition,
  };
  const node = new ClusterNode({ nc, nodeId: "a", host, partitionCount: 8, ...timing, onEvent: (e) => events.push(e) });
  try {
    await node.start();
    await waitFor(() => node.ownedPartitions().size === 8, { timeoutMs: 30_000, what: "p5 eventually started" });
    const failed = events.filter((e) => e.type === "partition-start-failed");
    assert.equal(failed.length, 3);
    assert.equal(ledger.running.size, 8);
  } finally {
    await node[Symbol.asyncDispose]();
    await nc.close();
  }
});

test("a lease overwritten behind the holder's back is detected at the next renewal: the holder stops (lease-lost) and later re-acquires", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const nc = await connectNats(server.url, "a");
  const intruderNc = await connectNats(server.url, "intruder");
  const events: ClusterEvent[] = [];
  const node = new ClusterNode({ nc, nodeId: "a", host: ledger.hostFor("a"), partitionCount: 4, ...timing, onEvent: (e) => events.push(e) });
  try {
    await node.start();
    await waitFor(() => node.ownedPartitions().size === 4, { timeoutMs: 30_000, what: "a owns all 4" });
    const leases = await new Kvm(intruderNc).open("rt_leases");
    await leases.put("p0", JSON.stringify({ owner: "intruder", epoch: 99, acquiredAt: Date.now() }));
    await waitFor(() => ledger.log.some((e) => e.partition === 0 && e.reason === "lease-lost"), { timeoutMs: 10_000, what: "p0 stopped" });
    assert.ok(events.some((e) => e.type === "partition-lost" && e.partition === 0 && /taken by intruder/.test(e.cause)));
    await waitFor(() => node.ownerOf(0) === "intruder", { what: "the view shows the intruder" });
    assert.equal((await leases.get("p0"))?.json<{ owner: string }>().owner, "intruder", "a never deletes a lease that is not its own");
    // The intruder never renews: its lease expires by max_age and a takes p0 back.
    await waitFor(() => node.ownedPartitions().has(0) && node.ownerOf(0) === "a", { timeoutMs: 30_000, what: "p0 re-acquired after expiry" });
  } finally {
    await node[Symbol.asyncDispose]();
    await nc.close();
    await intruderNc.close();
  }
  assert.deepEqual(ledger.overlaps, []);
});
