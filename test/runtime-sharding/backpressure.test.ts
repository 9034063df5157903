import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { OwnershipBoard } from "../fixtures/sharding-ownership.js";
import { startTestNode } from "../fixtures/sharding-node.js";
import { createEventStream, publishNumbered } from "../fixtures/sharding-log.js";
import { gatedEntities } from "../fixtures/sharding-entities.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";

test("backpressure: with tiny mailboxes the consumer fetches no more than the entities can take", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(2);
  const { entity: gated, seen, release } = gatedEntities();
  const MAX_IN_FLIGHT = 4;
  await using a = await startTestNode<never, { n: number }>(board, "A", server.url, {
    name: "tiny",
    entity: gated,
    mailboxCapacity: 2,
    snapshots: false,
    input: { stream: "EV", subjectPrefix: "ev", maxInFlight: MAX_IN_FLIGHT, maxAckPending: 1000 },
  });
  await createEventStream(a.nc, "EV", "ev");
  await board.assignAll("A");
  const key = "hot";
  const total = await publishNumbered(a.nc, "ev", 2, [key], 1, 200);
  const durable = `tiny-p${partitionOf(key, 2)}`;
  const jsm = await jetstreamManager(a.nc);

  try {
    // The entity is stuck on its first message: the consumer pulls what the mailboxes can take, then stops.
    const info = await waitFor(
      async () => {
        const i = await jsm.consumers.info("EV", durable);
        return i.delivered.stream_seq >= MAX_IN_FLIGHT ? i : undefined;
      },
      { what: `${MAX_IN_FLIGHT} messages delivered` },
    );
    assert.ok(info.num_ack_pending <= MAX_IN_FLIGHT, `num_ack_pending ${info.num_ack_pending}`);
    assert.ok(info.delivered.stream_seq <= MAX_IN_FLIGHT, `delivered up to ${info.delivered.stream_seq}`);
    assert.equal(info.num_pending, total - info.delivered.stream_seq, "the rest waits on the server");
    const stats = a.region.stats().partitions.find((p) => p.consumer?.pending)!.consumer!;
    assert.ok(stats.unhandled <= MAX_IN_FLIGHT && stats.unhandled >= 2, `unhandled ${stats.unhandled}`);
  } finally {
    release();
  }
  await waitFor(() => seen.length === total, { what: "all events handled" });
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => i + 1));
  await waitFor(async () => (await jsm.consumers.info("EV", durable)).ack_floor.stream_seq === total, { what: "everything acknowledged" });
});
