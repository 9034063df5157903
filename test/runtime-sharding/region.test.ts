import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { OwnershipBoard } from "../fixtures/sharding-ownership.js";
import { startTestNode, startTestPair } from "../fixtures/sharding-node.js";
import { DeliveryLog, recorderEntity, type CounterMsg } from "../fixtures/sharding-entities.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import { RegionAskTimeout } from "../../src/runtime/cluster/region/errors.js";
import { ShardRegion } from "../../src/runtime/cluster/region/region.js";
import { CompositePartitionHost } from "../../src/runtime/cluster/region/composite.js";

const PARTITIONS = 8;

/** Keys whose partitions are owned by `node` under an even/odd split. */
function keysOwnedBy(parity: 0 | 1, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `k${i}`;
    if (partitionOf(key, PARTITIONS) % 2 === parity) keys.push(key);
  }
  return keys;
}

test("local and remote tell reach the entity exactly once; ask answers from the owner", async () => {
  const log = new DeliveryLog();
  await using pair = await startTestPair<CounterMsg>(PARTITIONS, (id) => ({ name: "counters", entity: recorderEntity(log, id), snapshots: false }));
  const { board, a, b } = pair;
  for (let p = 0; p < PARTITIONS; p++) await board.move(p, p % 2 === 0 ? "A" : "B");

  const onA = keysOwnedBy(0, 5);
  const onB = keysOwnedBy(1, 5);
  const sends: Promise<void>[] = [];
  for (let n = 1; n <= 20; n++) {
    for (const key of [...onA, ...onB]) sends.push(a.region.tell(key, { type: "add", n }));
  }
  await Promise.all(sends);
  await waitFor(() => log.total >= 200, { what: "all deliveries handled" });
  for (const key of [...onA, ...onB]) assert.deepEqual(log.byKey.get(key), Array.from({ length: 20 }, (_, i) => i + 1), key);

  // ask from A: a local entity answers from A, a remote one from B (its reply travels as JSON).
  assert.deepEqual(await a.region.ask(onA[0]!, { type: "get" }), { node: "A", seen: 20 });
  assert.deepEqual(await a.region.ask(onB[0]!, { type: "get" }), { node: "B", seen: 20 });
  assert.deepEqual(await b.region.ask(onA[1]!, { type: "get" }), { node: "A", seen: 20 });

  // The entity lives where the brief says.
  const paths = a.system.stats().map((s) => s.path);
  assert.ok(paths.includes(`/user/region-counters/p${partitionOf(onA[0]!, PARTITIONS)}/${onA[0]}`), paths.join("\n"));
  assert.equal(log.total, 200);
});

test("messages to a partition without owner are held, then delivered once it gets one", async () => {
  const log = new DeliveryLog();
  await using pair = await startTestPair<CounterMsg>(PARTITIONS, (id) => ({ name: "held", entity: recorderEntity(log, id), snapshots: false }));
  const { board, a, b } = pair;
  const key = "orphan";
  const sent = [1, 2, 3].map((n) => a.region.tell(key, { type: "add", n }));
  const asked = a.region.ask(key, { type: "get" }, 60_000);
  await waitFor(() => a.region.stats().held === 4, { what: "4 held messages" });
  assert.equal(log.total, 0);
  await board.move(partitionOf(key, PARTITIONS), "B");
  await Promise.all(sent);
  // The ask queued behind the tells answers after they were handled.
  assert.deepEqual(await asked, { node: "B", seen: 3 });
  assert.deepEqual(log.byKey.get(key), [1, 2, 3]);

  let unowned = "x0";
  for (let i = 1; board.ownerOf(partitionOf(unowned, PARTITIONS)) !== undefined; i++) unowned = `x${i}`;
  await assert.rejects(a.region.ask(unowned, { type: "get" }, 50), RegionAskTimeout);
});

test("two regions on one node share its partitions through a CompositePartitionHost", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(PARTITIONS);
  const log1 = new DeliveryLog();
  const log2 = new DeliveryLog();
  await using a = await startTestNode<CounterMsg>(board, "A", server.url, { name: "first", entity: recorderEntity(log1, "A"), snapshots: false });
  const second = await ShardRegion.start<CounterMsg>({ name: "second", entity: recorderEntity(log2, "A"), system: a.system, ownership: board.view("A"), nc: a.nc, snapshots: false });
  board.attach("A", new CompositePartitionHost([a.region, second]));
  await using b = await startTestNode<CounterMsg>(board, "B", server.url, { name: "first", entity: recorderEntity(log1, "B"), snapshots: false });
  await board.assignAll("A");
  await Promise.all([b.region.tell("x", { type: "add", n: 1 }), second.tell("x", { type: "add", n: 2 })]);
  assert.deepEqual(await b.region.ask("x", { type: "get" }), { node: "A", seen: 1 });
  assert.deepEqual(await second.ask("x", { type: "get" }), { node: "A", seen: 1 });
  assert.deepEqual([log1.byKey.get("x"), log2.byKey.get("x")], [[1], [2]]);
  const paths = a.system.stats().map((s) => s.path);
  assert.ok(paths.some((p) => p.startsWith("/user/region-first/")) && paths.some((p) => p.startsWith("/user/region-second/")));
  await board.move(partitionOf("x", PARTITIONS), undefined); // stops the partition on both regions
  assert.equal(second.stats().partitions.length, PARTITIONS - 1);
  assert.equal(a.region.stats().partitions.length, PARTITIONS - 1);
  await second.close();
});
