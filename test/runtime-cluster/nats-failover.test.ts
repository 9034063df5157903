import { test } from "node:test";
import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsCluster } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { bucketStreamName } from "../../src/runtime/nats/bootstrap.js";
import { ClusterNode } from "../../src/runtime/cluster/index.js";
import { RunLedger } from "./recording-host.js";

test("3 nodes on a 3-server NATS cluster: losing NATS servers never runs a partition twice, and ownership recovers", async (t) => {
  await using cluster = await startNatsCluster(3);
  const ledger = new RunLedger();
  const ids = ["a", "b", "c"];
  // Each node prefers a different server but knows them all, as in production.
  const urls = (i: number) => [cluster.servers[i]!.url, ...cluster.servers.filter((_, j) => j !== i).map((s) => s.url)];
  const ncs = await Promise.all(ids.map((id, i) => connectNats(urls(i), id)));
  const nodes = ids.map(
    (id, i) => new ClusterNode({ nc: ncs[i]!, nodeId: id, host: ledger.hostFor(id), heartbeatMs: 300, memberTtlMs: 2000, leaseTtlMs: 3000 }),
  );
  const allRunning = () => ledger.running.size === 32 && nodes.every((n) => n.state === "running" && n.ownedPartitions().size >= 1);
  const observer = await connectNats(cluster.urls, "failover-test");
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitFor(allRunning, { timeoutMs: 60_000, what: "32 partitions over 3 nodes" });

    // Which server holds the lease bucket (R1 on servers that cannot serialise replicated CAS)?
    const jsm = await jetstreamManager(observer);
    const leaseStream = await jsm.streams.info(bucketStreamName("rt_leases"));
    const holder = leaseStream.cluster?.leader;
    const holderIndex = cluster.servers.findIndex((_, i) => `n${i}` === holder);
    assert.ok(holderIndex >= 0, `lease bucket leader ${holder}`);
    const leases = await new Kvm(observer).open("rt_leases");
    const revisions = () => Promise.all(Array.from({ length: 32 }, async (_, p) => (await leases.get(`p${p}`))?.revision ?? 0));

    // 1. A server that does not hold the lease bucket dies: its clients reconnect elsewhere and
    //    every lease keeps being renewed (or is re-acquired).
    const other = cluster.servers[(holderIndex + 1) % 3]!;
    const before = await revisions();
    await other.kill();
    await waitFor(async () => (await revisions()).every((r, p) => r > before[p]!), { timeoutMs: 60_000, what: "every lease written again after losing a server" });
    await waitFor(allRunning, { timeoutMs: 60_000, what: "all partitions owned after losing a server" });

    // 2. The lease bucket's server dies: nobody can renew, so every node stops every partition
    //    (safety over availability); when it returns, ownership comes back.
    if (leaseStream.config.num_replicas === 1) {
      await other.restart();
      const lostBefore = ledger.log.filter((e) => e.reason === "lease-lost").length;
      await cluster.servers[holderIndex]!.kill();
      await waitFor(() => ledger.running.size === 0, { timeoutMs: 30_000, what: "all partitions stopped without the lease bucket" });
      t.diagnostic(`lease bucket server down: ${ledger.log.filter((e) => e.reason === "lease-lost").length - lostBefore} partitions stopped (lease-lost)`);
      await cluster.servers[holderIndex]!.restart();
      await waitFor(allRunning, { timeoutMs: 90_000, what: "all partitions owned again after the lease server returned" });
    }
  } finally {
    for (const n of nodes) await n[Symbol.asyncDispose]();
    for (const nc of ncs) await nc.close();
    await observer.close();
  }
  assert.deepEqual(ledger.overlaps, [], "no partition ever ran on two hosts");
});
