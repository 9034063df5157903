import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/runtime/clock.js";
import { LeaseKeeper } from "../../src/runtime/cluster/leases/lease-keeper.js";
import type { LeaseRecord } from "../../src/runtime/cluster/leases/lease-record.js";
import type { LeaseOps } from "../../src/runtime/cluster/leases/lease-store.js";

/** An in-memory lease table with CAS, whose writes can be made to fail or to lose their reply. */
class FakeLeases implements LeaseOps {
  seq = 0;
  readonly table = new Map<number, { record: LeaseRecord; revision: number }>();
  mode: "ok" | "down" | "lose-reply" = "ok";

  async acquire(p: number, record: LeaseRecord): Promise<number | undefined> {
    if (this.mode === "down") throw new Error("timeout");
    if (this.table.has(p)) return undefined;
    this.table.set(p, { record, revision: ++this.seq });
    if (this.mode === "lose-reply") throw new Error("timeout");
    return this.seq;
  }
  async renew(p: number, record: LeaseRecord, revision: number): Promise<number | "conflict"> {
    if (this.mode === "down") throw new Error("timeout");
    const cur = this.table.get(p);
    if (!cur || cur.revision !== revision) return "conflict";
    this.table.set(p, { record, revision: ++this.seq });
    if (this.mode === "lose-reply") throw new Error("timeout");
    return this.seq;
  }
  async release(p: number, revision: number): Promise<boolean> {
    if (this.table.get(p)?.revision !== revision) return false;
    this.table.delete(p);
    return true;
  }
  async read(p: number) {
    return this.table.get(p);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

/** A started keeper for node "a" over a fresh FakeLeases, on a manual clock at `startMs`; `lost` records the leases it gives up. */
function startedKeeper(startMs = 0) {
  const clock = new ManualClock(startMs);
  const store = new FakeLeases();
  const lost: { partition: number; cause: string; at: number }[] = [];
  const keeper = new LeaseKeeper({
    store,
    nodeId: "a",
    clock,
    leaseTtlMs: 5000,
    renewEveryMs: 1500,
    safetyMarginMs: 1000,
    onLost: (partition, cause) => lost.push({ partition, cause, at: clock.now() }),
    onError: () => {},
  });
  keeper.start();
  return { clock, store, keeper, lost };
}

async function advance(clock: ManualClock, ms: number, step = 100) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

test("renewals keep a lease indefinitely", async () => {
  const { clock, store, keeper, lost } = startedKeeper();
  assert.ok(await keeper.acquire(3, 1));
  await advance(clock, 30_000);
  assert.deepEqual(lost, []);
  assert.ok(keeper.holds(3));
  assert.ok(store.seq > 15, "renewed many times");
  keeper.stop();
});

test("when renewals fail, the lease is declared lost at lastConfirmedSend + TTL − margin, before it can expire", async () => {
  const { clock, store, keeper, lost } = startedKeeper();
  await keeper.acquire(3, 1);
  await advance(clock, 1600); // one renewal at t=1500 succeeded
  store.mode = "down";
  await advance(clock, 10_000);
  assert.equal(lost.length, 1);
  assert.equal(lost[0]!.at, 1500 + 5000 - 1000);
  assert.match(lost[0]!.cause, /no renewal confirmed/);
  assert.equal(keeper.holds(3), false);
  keeper.stop();
});

test("a renewal whose reply was lost is recognised as ours on the next round (same owner and epoch)", async () => {
  const { clock, store, keeper, lost } = startedKeeper();
  await keeper.acquire(3, 7);
  store.mode = "lose-reply";
  await advance(clock, 1600);
  store.mode = "ok";
  await advance(clock, 20_000);
  assert.deepEqual(lost, []);
  assert.ok(keeper.holds(3));
  keeper.stop();
});

test("a lease rewritten by another node is lost at the next renewal, and release then leaves it alone", async () => {
  const { clock, store, keeper, lost } = startedKeeper();
  await keeper.acquire(3, 1);
  store.table.set(3, { record: { owner: "b", epoch: 2, acquiredAt: 0 }, revision: ++store.seq });
  await advance(clock, 1600);
  assert.equal(lost.length, 1);
  assert.match(lost[0]!.cause, /taken by b/);
  await keeper.release(3);
  assert.equal(store.table.get(3)?.record.owner, "b", "another node's lease is never deleted");
  keeper.stop();
});

test("release deletes the lease at its latest revision", async () => {
  const { clock, store, keeper } = startedKeeper();
  await keeper.acquire(3, 1);
  await advance(clock, 4000);
  await keeper.release(3);
  assert.equal(store.table.has(3), false);
  keeper.stop();
});

test("an acquisition whose reply was lost is adopted when the key holds exactly our record; a foreign one is not", async () => {
  const { clock, store, keeper, lost } = startedKeeper();
  store.mode = "lose-reply";
  const held = await keeper.acquire(3, 1);
  assert.equal(held?.revision, 1);
  store.mode = "ok";
  await advance(clock, 10_000);
  assert.deepEqual(lost, []);
  assert.ok(keeper.holds(3));

  store.table.set(4, { record: { owner: "b", epoch: 1, acquiredAt: 0 }, revision: ++store.seq });
  store.mode = "down";
  await assert.rejects(keeper.acquire(4, 1));
  assert.equal(keeper.holds(4), false);
  keeper.stop();
});

test("another incarnation of the same node id (same owner and epoch, other acquisition time) is not adopted", async () => {
  const { clock, store, keeper, lost } = startedKeeper(1000);
  await keeper.acquire(3, 1);
  store.table.set(3, { record: { owner: "a", epoch: 1, acquiredAt: 999 }, revision: ++store.seq });
  await advance(clock, 1600);
  assert.equal(lost.length, 1);
  await keeper.release(3);
  assert.equal(store.table.get(3)?.record.acquiredAt, 999, "the other incarnation's lease is left alone");
  keeper.stop();
});
