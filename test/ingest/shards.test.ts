/** IngestShards (which symbols a node reads, handover overlap) and Coalescer, without NATS. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { IngestShards, symbolsOfShard } from "../../src/node/components/ingest-shards.js";
import { Coalescer } from "../../src/runtime/coalescer.js";
import { ManualClock } from "../../src/runtime/clock.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";

const SYMBOLS = Array.from({ length: 200 }, (_, i) => `S${String(i).padStart(3, "0")}USDT`);
const PARTITIONS = 8;

/** `settles`: record `settle` calls too (with whether the previous reader logged everything); `lostLeaseExtraMs` as IngestShards takes it. */
function shardsWithLog(clock: ManualClock, o: { settles?: boolean; lostLeaseExtraMs?: number } = {}) {
  const calls: string[] = [];
  const settle = async (s: string[], flushed: boolean) => void calls.push(`settle ${s.length} ${flushed ? "flushed" : "not-flushed"}`);
  const shards = new IngestShards(SYMBOLS, {
    partitions: PARTITIONS,
    overlapMs: 1000,
    clock,
    adopt: async (s) => void calls.push(`adopt ${s.length}`),
    release: async (s) => void calls.push(`release ${s.length}`),
    ...(o.settles ? { settle } : {}),
    ...(o.lostLeaseExtraMs === undefined ? {} : { lostLeaseExtraMs: o.lostLeaseExtraMs }),
  });
  return { shards, calls };
}

test("each symbol is in exactly one shard, the one of its log subject", () => {
  const all = Array.from({ length: PARTITIONS }, (_, p) => symbolsOfShard(SYMBOLS, p, PARTITIONS)).flat();
  assert.deepEqual([...all].sort(), [...SYMBOLS].sort());
  for (let p = 0; p < PARTITIONS; p++) for (const s of symbolsOfShard(SYMBOLS, p, PARTITIONS)) assert.equal(partitionOf(s, PARTITIONS), p);
});

test("a handed-over shard, or one whose lease was lost, is read for the overlap, then released", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock);
  await shards.startPartition(1);
  await shards.startPartition(2);
  const one = symbolsOfShard(SYMBOLS, 1, PARTITIONS).length;
  const two = symbolsOfShard(SYMBOLS, 2, PARTITIONS).length;
  assert.equal(shards.reading().length, one + two);
  await shards.stopPartition(1, "handoff");
  assert.deepEqual(shards.ownedShards(), [2]);
  assert.equal(shards.reading().length, one + two, "still reading shard 1 during the overlap");
  clock.advance(999);
  assert.ok(!calls.includes(`release ${one}`));
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  assert.ok(calls.includes(`release ${one}`));
  assert.equal(shards.reading().length, two);
  await shards.stopPartition(2, "lease-lost");
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 1 });
  assert.equal(shards.reading().length, two, "a lost lease is not an UNSUBSCRIBE: still reading shard 2");
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.at(-1), `release ${two}`);
  assert.equal(shards.reading().length, 0);
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 0 });
});

test("a lost lease overlaps for the lease TTL longer than a handover: a slow retake still finds its reader going", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock, { settles: true, lostLeaseExtraMs: 20_000 });
  const n = symbolsOfShard(SYMBOLS, 1, PARTITIONS).length;
  await shards.startPartition(1);
  await shards.startPartition(2);
  await shards.stopPartition(2, "handoff");
  await shards.stopPartition(1, "lease-lost");
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 1 }, "the handed-over shard is released after the overlap, the lost one is not");
  clock.advance(19_999);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(shards.reading(), symbolsOfShard(SYMBOLS, 1, PARTITIONS), "still reading the lost shard 20,999 ms later");
  await shards.startPartition(1);
  assert.deepEqual(calls.slice(-2), [`adopt ${n}`, `settle ${n} flushed`], "taken back 21 s later: read throughout, nothing to ask the exchange for");
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 0 });
});

test("a shard whose lease was lost and is taken straight back was read throughout: nothing released, settled as flushed", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock, { settles: true });
  const n = symbolsOfShard(SYMBOLS, 1, PARTITIONS).length;
  await shards.startPartition(1);
  await shards.stopPartition(1, "lease-lost");
  await shards.startPartition(1);
  clock.advance(5000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [`adopt ${n}`, `settle ${n} not-flushed`, `adopt ${n}`, `settle ${n} flushed`]);
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 0 });
});

test("a shard taken back during its overlap is not released; overlapsEnded ends the others early", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock);
  await shards.startPartition(3);
  await shards.startPartition(4);
  await shards.stopPartition(3, "shutdown");
  await shards.stopPartition(4, "handoff");
  await shards.startPartition(3);
  clock.advance(500);
  const ended = shards.overlapsEnded(100);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.filter((c) => c.startsWith("release")).length, 0, "not yet: the wait has not timed out");
  clock.advance(100);
  await ended;
  assert.deepEqual(calls.filter((c) => c.startsWith("release")), [`release ${symbolsOfShard(SYMBOLS, 4, PARTITIONS).length}`]);
  clock.advance(5000);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.filter((c) => c.startsWith("release")).length, 1, "shard 3 is owned again and shard 4 released once");
  assert.deepEqual(shards.ownedShards(), [3]);
});

test("admin add and remove: only symbols of owned shards are adopted or released", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock);
  await shards.startPartition(partitionOf("NEWUSDT", PARTITIONS));
  calls.length = 0;
  const other = ["X1USDT", "X2USDT", "X3USDT", "X4USDT", "X5USDT", "X6USDT"].filter((s) => partitionOf(s, PARTITIONS) !== partitionOf("NEWUSDT", PARTITIONS));
  await shards.add(["NEWUSDT", ...other]);
  assert.deepEqual(calls, ["adopt 1"]);
  await shards.remove(["NEWUSDT", ...other]);
  assert.deepEqual(calls, ["adopt 1", "release 1"]);
});

test("Coalescer: calls within the window become one run; a failure rejects each caller", async () => {
  const runs: number[][] = [];
  const c = new Coalescer<number>(10, async (items) => void runs.push(items));
  await Promise.all([c.add([1]), c.add([2, 3]), c.add([4])]);
  await c.add([5]);
  assert.deepEqual(runs, [[1, 2, 3, 4], [5]]);
  const failing = new Coalescer<number>(5, async () => {
    throw new Error("boom");
  });
  const results = await Promise.allSettled([failing.add([1]), failing.add([2])]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
});

test("a symbol added while its shard is being adopted is adopted too", async () => {
  const adopted: string[] = [];
  let releaseFirst!: () => void;
  const firstAdopt = new Promise<void>((r) => (releaseFirst = r));
  const shards = new IngestShards(SYMBOLS, {
    partitions: PARTITIONS,
    overlapMs: 1000,
    clock: new ManualClock(0),
    adopt: async (s) => {
      adopted.push(...s);
      if (adopted.length === s.length) await firstAdopt; // the shard's own adopt is slow
    },
    release: async () => {},
  });
  const late = "LATEUSDT";
  const starting = shards.startPartition(partitionOf(late, PARTITIONS));
  await shards.add([late]);
  releaseFirst();
  await starting;
  assert.ok(adopted.includes(late), "the late symbol was subscribed");
  assert.ok(shards.reading().includes(late));
});

test("shutdown: overlapsEnded with release false ends unclaimed overlaps without releasing shard by shard", async () => {
  const clock = new ManualClock(0);
  const { shards, calls } = shardsWithLog(clock);
  for (const p of [1, 2, 5]) await shards.startPartition(p);
  for (const p of [1, 2, 5]) await shards.stopPartition(p, "shutdown");
  const ended = shards.overlapsEnded(100, { release: false });
  clock.advance(100); // nobody claimed them within the wait
  await ended;
  assert.deepEqual(calls.filter((c) => c.startsWith("release")), [], "the actor's stop closes them; no per-shard release");
  assert.equal(shards.reading().length, 0, "nothing lingers");
  clock.advance(5000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls.filter((c) => c.startsWith("release")), [], "the overlap timers were cancelled too");
});

test("shutdown: a lease lost after overlapsEnded (NATS gone, renewals failing) starts no overlap, no timer and no offer", async () => {
  const clock = new ManualClock(0);
  const offers: number[] = [];
  const shards = new IngestShards(SYMBOLS, {
    partitions: PARTITIONS,
    overlapMs: 30_000,
    clock,
    adopt: async () => {},
    release: async () => {},
    handover: { offer: async (shard) => (offers.push(shard), () => {}), claim: async () => false },
  });
  for (const p of [1, 2]) await shards.startPartition(p);
  await shards.overlapsEnded(0, { release: false });
  await shards.stopPartition(1, "lease-lost");
  await shards.stopPartition(2, "lease-lost");
  assert.deepEqual(shards.ownedShards(), []);
  assert.deepEqual(shards.transitions(), { starting: 0, lingering: 0 });
  assert.equal(clock.pendingTimers, 0, "nothing left to hold the process open");
  assert.deepEqual(offers, [], "no claim is offered by a closing node");
});
