import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { OwnershipBoard } from "../fixtures/sharding-ownership.js";
import { startTestNode } from "../fixtures/sharding-node.js";
import { createEventStream, publishNumbered } from "../fixtures/sharding-log.js";
import { gatedEntities } from "../fixtures/sharding-entities.js";
import type { RuntimeEvent } from "../../src/runtime/actor/types.js";
import { oneForOne } from "../../src/runtime/actor/index.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import type { PartitionStalled } from "../../src/runtime/cluster/consumer/stall-watchdog.js";

test("stall watchdog: an entity that blocks its mailbox stalls its partition; the stall is reported, the consumer restarted under supervision, and every message handled once after", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(2);
  const { entity: blocking, seen, release } = gatedEntities();
  const stalls: PartitionStalled[] = [];
  await using a = await startTestNode<never, { n: number }>(board, "A", server.url, {
    name: "stuck",
    entity: blocking,
    mailboxCapacity: 2,
    snapshots: false,
    input: { stream: "EV", subjectPrefix: "ev", maxInFlight: 4, maxAckPending: 1000 },
    stallWatch: {
      stallAfterMs: 1000,
      checkEveryMs: 100,
      strategy: oneForOne({ maxRestarts: 3, withinMs: 60_000, backoff: { initialMs: 500, maxMs: 500, jitter: 0 } }),
      onStall: (s) => stalls.push(s),
    },
  });
  const events: RuntimeEvent[] = [];
  a.system.events.on((e) => events.push(e));
  await createEventStream(a.nc, "EV", "ev");
  await board.assignAll("A");
  const key = "hot";
  const partition = partitionOf(key, 2);
  const total = await publishNumbered(a.nc, "ev", 2, [key], 1, 50);

  try {
    await waitFor(() => stalls.length > 0, { timeoutMs: 30_000, what: "the stall reported" });
    assert.equal(stalls[0]!.partition, partition);
    assert.ok(stalls[0]!.backlog > 0 && stalls[0]!.stalledForMs >= 1000, stalls[0]!.message);
    assert.ok(events.some((e) => e.type === "log" && e.level === "error" && e.message === stalls[0]!.message), "an ERROR log event");
    // Until the restart (after its 500 ms backoff) the partition's status row shows the stall.
    const row = a.region.stats().partitions.find((p) => p.partition === partition)!;
    assert.ok(row.stall !== undefined && row.stall.stalledForMs >= 1000 && row.stall.restarts === 0, `status shows the stall: ${JSON.stringify(row.stall)}`);
    assert.ok((a.region.stats().stalls ?? 0) >= 1);
    await waitFor(() => (a.region.stats().partitions.find((p) => p.partition === partition)?.consumer?.restarts ?? 0) >= 1, { timeoutMs: 30_000, what: "the consumer restarted" });
    const decision = events.find((e) => e.type === "supervisor-decision");
    assert.ok(decision?.type === "supervisor-decision" && decision.directive === "restart" && decision.child.endsWith(`p${partition}/consumer`), JSON.stringify(decision));
  } finally {
    release();
  }
  // The restart recreated the durable while messages sat in the mailbox: none lost, none twice, in order.
  await waitFor(() => seen.length >= total, { timeoutMs: 30_000, what: "all events handled" });
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i + 1));
  const jsm = await jetstreamManager(a.nc);
  await waitFor(async () => (await jsm.consumers.info("EV", `stuck-p${partition}`)).ack_floor.stream_seq === total, { timeoutMs: 30_000, what: "everything acknowledged" });
  await waitFor(() => a.region.stats().partitions.find((p) => p.partition === partition)?.stall?.stalledForMs === 0, { timeoutMs: 30_000, what: "no longer stalled" });
});
