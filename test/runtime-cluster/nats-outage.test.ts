import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ClusterNode, type ClusterEvent } from "../../src/runtime/cluster/index.js";
import { RunLedger } from "./recording-host.js";

test("NATS down past the lease deadline: every node stops its partitions (lease-lost); after NATS returns they are owned again", async () => {
  await using server = await startNatsServer();
  const ledger = new RunLedger();
  const events: ClusterEvent[] = [];
  const ids = ["a", "b"];
  const ncs = await Promise.all(ids.map((id) => connectNats(server.url, id)));
  const nodes = ids.map(
    (id, i) =>
      new ClusterNode({
        nc: ncs[i]!,
        nodeId: id,
        host: ledger.hostFor(id),
        partitionCount: 8,
        heartbeatMs: 200,
        memberTtlMs: 1500,
        leaseTtlMs: 2000,
        onEvent: (e) => events.push(e),
      }),
  );
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitFor(() => ledger.running.size === 8 && nodes.every((n) => n.ownedPartitions().size >= 1), { timeoutMs: 30_000, what: "8 partitions owned" });

    await server.kill();
    await waitFor(() => ledger.running.size === 0, { timeoutMs: 15_000, what: "every partition stopped while NATS is down" });
    const lost = events.filter((e) => e.type === "partition-lost");
    assert.equal(lost.length, 8);
    for (const e of lost) assert.match((e as { cause: string }).cause, /no renewal confirmed/);
    assert.ok(ledger.log.filter((e) => e.op === "stop").every((e) => e.reason === "lease-lost"));

    await server.restart();
    await waitFor(() => ledger.running.size === 8, { timeoutMs: 60_000, what: "partitions owned again after NATS restart" });
    // The lease watches came back too: every node's view matches who actually runs what.
    await waitFor(() => nodes.every((n) => Array.from({ length: 8 }, (_, p) => n.ownerOf(p) === ledger.running.get(p)).every(Boolean)), {
      timeoutMs: 30_000,
      what: "views agree after the outage",
    });
  } finally {
    for (const n of nodes) await n[Symbol.asyncDispose]();
    for (const nc of ncs) await nc.close();
  }
  assert.deepEqual(ledger.overlaps, []);
});
