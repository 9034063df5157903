import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { OwnershipBoard } from "../fixtures/sharding-ownership.js";
import { startTestNode } from "../fixtures/sharding-node.js";
import { DeliveryLog, recorderEntity, type CounterMsg } from "../fixtures/sharding-entities.js";

const PARTITIONS = 8;

function numbers(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

test("partitions move A → B → A under load: every message exactly once, in order per key", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(PARTITIONS);
  const log = new DeliveryLog();
  const options = { name: "moving", snapshots: false as const, requestTimeoutMs: 2000 };
  await using a = await startTestNode<CounterMsg>(board, "A", server.url, { ...options, entity: recorderEntity(log, "A") });
  await using b = await startTestNode<CounterMsg>(board, "B", server.url, { ...options, entity: recorderEntity(log, "B") });
  await board.assignAll("A");

  const PER_KEY = 300;
  const keysA = Array.from({ length: 20 }, (_, i) => `a${i}`);
  const keysB = Array.from({ length: 20 }, (_, i) => `b${i}`);
  let sending = true;
  const sends: Promise<void>[] = [];
  const producer = (async () => {
    for (let n = 1; n <= PER_KEY; n++) {
      for (const key of keysA) sends.push(a.region.tell(key, { type: "add", n }));
      for (const key of keysB) sends.push(b.region.tell(key, { type: "add", n }));
      // Let moves interleave with the stream of sends.
      if (n % 10 === 0) await delay(1);
    }
    sending = false;
  })();

  let moves = 0;
  while (sending || moves < PARTITIONS * 2) {
    const p = moves % PARTITIONS;
    const to = board.ownerOf(p) === "A" ? "B" : "A";
    await board.move(p, to);
    moves++;
  }
  await producer;
  await Promise.all(sends);
  // tell resolves once the message is in the mailbox; wait until the entities handled them all.
  await waitFor(() => log.total >= 40 * PER_KEY, { what: "all deliveries handled" });
  for (const key of [...keysA, ...keysB]) assert.deepEqual(log.byKey.get(key), numbers(PER_KEY), `deliveries to ${key}`);
  assert.ok(moves >= PARTITIONS * 2);
  assert.ok(a.region.stats().resent + b.region.stats().resent > 0, "some messages were held and resent across moves");
});

test("resends of messages the owner already took (request timeouts under backpressure) are not delivered twice", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(2);
  const log = new DeliveryLog();
  // A slow entity behind a 1-slot mailbox makes the owner answer later than the sender waits.
  const slow = (key: string) => {
    const inner = recorderEntity(log, "B")(key);
    return {
      async receive(message: CounterMsg) {
        await delay(2);
        return inner.receive(message, undefined as never);
      },
    };
  };
  const options = { name: "slow", snapshots: false as const, mailboxCapacity: 1, requestTimeoutMs: 20, maxBatch: 4 };
  await using a = await startTestNode<CounterMsg>(board, "A", server.url, { ...options, entity: recorderEntity(log, "A") });
  await using b = await startTestNode<CounterMsg>(board, "B", server.url, { ...options, entity: slow });
  await board.assignAll("B");
  const keys = ["s1", "s2", "s3"];
  const sends = keys.flatMap((key) => numbers(60).map((n) => a.region.tell(key, { type: "add", n })));
  await Promise.all(sends);
  await waitFor(() => log.total >= 180, { what: "all deliveries handled" });
  for (const key of keys) assert.deepEqual(log.byKey.get(key), numbers(60));
  await waitFor(() => a.region.stats().held === 0);
  // 32 messages in flight need >= 64 ms at the owner against a 20 ms request timeout: resends are certain.
  assert.ok(a.region.stats().resent > 0, "the sender resent");
  assert.ok(b.region.stats().duplicates > 0, "the owner refused duplicates");
});
