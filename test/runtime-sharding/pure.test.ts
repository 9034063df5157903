import { test } from "node:test";
import assert from "node:assert/strict";
import { admission, SenderWindows } from "../../src/runtime/cluster/region/dedupe.js";
import { AckFrontier } from "../../src/runtime/cluster/consumer/progress.js";
import { decodeBatch, encodeBatch, MalformedRegionFrame } from "../../src/runtime/cluster/region/codec.js";
import { snapshotKey } from "../../src/runtime/cluster/snapshots/snapshot-store.js";
import { entityActorName } from "../../src/runtime/cluster/region/partition-actor.js";
import { CompositePartitionHost, PartitionStartFailed, PartitionStopFailed } from "../../src/runtime/cluster/region/composite.js";
import type { PartitionHost } from "../../src/runtime/cluster/types.js";
import { rng } from "../market/fixtures.js";

test("admission: duplicate at or below the mark, next or vouched-for base accepted, otherwise a gap", () => {
  const table: [high: number | undefined, base: number, seq: number, expected: string][] = [
    [undefined, 1, 1, "accept"], // a new sender starts at its base
    [undefined, 5, 5, "accept"], // ... whatever that base is (earlier ones settled elsewhere)
    [undefined, 5, 6, "gap"], // its base has not arrived yet
    [undefined, 5, 4, "duplicate"], // below the base: given up or settled, never deliver
    [3, 1, 4, "accept"],
    [3, 1, 3, "duplicate"],
    [3, 1, 1, "duplicate"],
    [3, 4, 5, "gap"], // 4 is still owed
    [3, 6, 6, "accept"], // the sender vouches that 4 and 5 are settled (e.g. asks that timed out)
    [3, 2, 7, "gap"],
  ];
  for (const [high, base, seq, expected] of table) assert.equal(admission(high, base, seq), expected, `high=${high} base=${base} seq=${seq}`);
});

test("sender windows hand over the recent marks only, newest first, bounded", () => {
  const w = new SenderWindows();
  w.commit("old", 10, 1_000);
  w.commit("mid", 20, 50_000);
  w.commit("new", 30, 60_000);
  w.commit("new", 31, 61_000);
  const state = w.export(70_000, 30_000, 1);
  assert.deepEqual(state, { senders: { new: [31, 61_000] } });
  const back = SenderWindows.from(state);
  assert.equal(back.admit("new", 1, 31), "duplicate");
  assert.equal(back.admit("new", 1, 32), "accept");
  assert.equal(back.admit("old", 11, 11), "accept");
});

test("ack frontier: acks the longest durable prefix, holds back behind a key that is not durable", () => {
  const f = new AckFrontier<string>();
  assert.equal(f.add(1, "a", "m1"), "added");
  assert.equal(f.add(2, "b", "m2"), "added");
  assert.equal(f.add(3, "a", "m3"), "added");
  assert.equal(f.add(3, "a", "m3 again"), "pending"); // ack_wait redelivery while in flight
  assert.equal(f.unhandled, 3);
  f.handled(1);
  f.handled(3);
  assert.equal(f.unhandled, 1);
  f.covered("a", 3);
  assert.equal(f.advance(), "m1"); // 2 (key b) is not durable: the prefix stops at 1
  assert.equal(f.floor, 1);
  assert.deepEqual(f.pendingFor("b", 0), ["m2"]);
  f.covered("b", 2);
  assert.equal(f.advance(), "m3");
  assert.equal(f.floor, 3);
  assert.equal(f.pending, 0);
  assert.equal(f.unhandled, 0);
  assert.equal(f.add(2, "b", "late"), "stale");
  assert.equal(f.advance(), undefined);
});

test("ack frontier: replay after an entity restart returns what is not durable, in order; settle skips one message", () => {
  const f = new AckFrontier<number>();
  for (const [seq, key] of [[10, "k"], [11, "x"], [12, "k"], [13, "k"]] as const) f.add(seq, key, seq);
  f.covered("k", 10);
  assert.deepEqual(f.pendingFor("k", 10), [12, 13]);
  assert.deepEqual(f.pendingFor("k", 12), [13]);
  f.settle(11);
  assert.equal(f.advance(), 11);
  // an out-of-order add (rare redelivery race) still keeps the prefix sorted
  f.add(14, "y", 14);
  f.covered("y", 14);
  assert.equal(f.advance(), undefined, "12 and 13 still hold the prefix");
  f.covered("k", 13);
  assert.equal(f.advance(), 14);
});

test("region frames round-trip and reject truncation", () => {
  const batch = {
    sender: "node-1~abc",
    base: 7,
    items: [
      { seq: 7, key: "BTCUSDT", kind: "tell" as const, payload: new TextEncoder().encode('{"a":1}') },
      { seq: 8, key: "é/x", kind: "ask" as const, payload: new Uint8Array([0, 255, 3]) },
      { seq: 9, key: "", kind: "tell" as const, payload: new Uint8Array() },
    ],
  };
  const frame = encodeBatch(batch);
  assert.deepEqual(decodeBatch(frame), batch);
  assert.throws(() => decodeBatch(frame.subarray(0, frame.length - 1)), MalformedRegionFrame);
  assert.throws(() => decodeBatch(new Uint8Array([0, 0])), MalformedRegionFrame);
});

test("names: KV snapshot keys and actor names accept any entity key without collisions", () => {
  assert.equal(snapshotKey("sym", "BTCUSDT"), "sym.BTCUSDT");
  assert.equal(snapshotKey("sym", "a.b"), `sym.=${Buffer.from("a.b").toString("base64url")}`);
  assert.notEqual(snapshotKey("sym", "=x"), snapshotKey("sym", "x"));
  assert.match(snapshotKey("sym", "weird key/ü"), /^[-/_=.a-zA-Z0-9]+$/);
  assert.equal(entityActorName("a/b"), "a%2Fb");
  assert.notEqual(entityActorName("a%2Fb"), entityActorName("a/b"));
  assert.ok(!entityActorName("").includes("/") && entityActorName("").length > 0);
});

test("composite host: fans out, undoes a half start, stops every region even when one fails", async () => {
  const calls: string[] = [];
  const host = (name: string, failStart = false, failStop = false): PartitionHost => ({
    async startPartition(p) {
      calls.push(`${name}.start(${p})`);
      if (failStart) throw new Error(`${name} cannot start`);
    },
    async stopPartition(p, reason) {
      calls.push(`${name}.stop(${p},${reason})`);
      if (failStop) throw new Error(`${name} cannot stop`);
    },
  });
  await new CompositePartitionHost([host("a"), host("b")]).startPartition(1);
  assert.deepEqual(calls.splice(0), ["a.start(1)", "b.start(1)"]);
  await assert.rejects(new CompositePartitionHost([host("a"), host("b", true), host("c")]).startPartition(2), PartitionStartFailed);
  assert.deepEqual(calls.splice(0), ["a.start(2)", "b.start(2)", "a.stop(2,handoff)"]);
  await assert.rejects(new CompositePartitionHost([host("a", false, true), host("b")]).stopPartition(3, "shutdown"), PartitionStopFailed);
  assert.deepEqual(calls.splice(0), ["a.stop(3,shutdown)", "b.stop(3,shutdown)"]);
});

test("region options: defaults filled once, bad values named", async () => {
  const { resolveRegionOptions } = await import("../../src/runtime/cluster/region/options.js");
  const { InvalidRegionOptions } = await import("../../src/runtime/cluster/region/errors.js");
  const base = { name: "symbols", entity: () => ({ receive: () => undefined }), system: undefined as never, ownership: undefined as never, nc: undefined as never };
  const r = resolveRegionOptions(base);
  assert.equal(r.mailboxCapacity, 1000);
  assert.equal(r.subjectPrefix, "rt.region");
  assert.deepEqual(r.snapshots, { bucket: "rt_snapshots", everyMessages: 100, everyMs: 1000 });
  assert.equal(r.input, undefined);
  assert.equal(resolveRegionOptions({ ...base, snapshots: false }).snapshots, undefined);
  const input = resolveRegionOptions({ ...base, input: { stream: "TRADES", subjectPrefix: "md.trades", fetchExpiresMs: 10 } }).input!;
  assert.equal(input.fetchExpiresMs, 1000, "clamped to the nats.js minimum");
  assert.equal(input.maxAckPending, 1000);
  assert.throws(() => resolveRegionOptions({ ...base, name: "a.b" }), (e: unknown) => e instanceof InvalidRegionOptions && /name/.test((e as Error).message));
  assert.throws(() => resolveRegionOptions({ ...base, mailboxCapacity: 0 }), /mailboxCapacity/);
  assert.throws(() => resolveRegionOptions({ ...base, input: { stream: "S", subjectPrefix: "md.>" } }), /input.subjectPrefix/);
});

test("ack frontier: a message that never reached its entity is forgotten and taken again on redelivery", () => {
  const f = new AckFrontier<number>();
  f.add(1, "a", 1);
  f.add(2, "b", 2);
  f.forget(2);
  assert.equal(f.unhandled, 1);
  assert.deepEqual(f.pendingFor("b", 0), []);
  f.covered("a", 1);
  assert.equal(f.advance(), 1);
  assert.equal(f.add(2, "b", 22), "added");
  f.covered("b", 2);
  assert.equal(f.advance(), 22);
});

test("outcomes: what each owner answer means to the sender", async () => {
  const { remoteOutcome, localOutcome } = await import("../../src/runtime/cluster/region/outcome.js");
  const errors = await import("../../src/runtime/cluster/region/errors.js");
  const tell = { key: "k", kind: "tell" as const };
  const ask = { key: "k", kind: "ask" as const };
  assert.deepEqual(remoteOutcome("r", ask, { k: "ok", v: 42 }), { taken: true, value: 42 });
  assert.deepEqual(remoteOutcome("r", tell, { k: "dup" }), { taken: true });
  assert.ok(remoteOutcome("r", ask, { k: "dup" }).taken);
  const unknown = remoteOutcome("r", ask, { k: "dup-unknown" });
  assert.ok(unknown.taken && unknown.error instanceof errors.RegionAskOutcomeUnknown);
  const failedAsk = remoteOutcome("r", ask, { k: "failed", e: "boom" });
  assert.ok(failedAsk.taken && failedAsk.error instanceof errors.RegionAskFailed);
  const failedTell = remoteOutcome("r", tell, { k: "failed", e: "decode" });
  assert.ok(failedTell.taken && failedTell.error instanceof errors.RegionDeliveryFailed);
  assert.deepEqual(remoteOutcome("r", tell, { k: "not-owner" }), { taken: false });
  assert.deepEqual(remoteOutcome("r", tell, { k: "gap" }), { taken: false });
  const reply = Promise.resolve("pong");
  assert.deepEqual(localOutcome("r", ask, { k: "accepted", reply }), { taken: true, reply });
  assert.deepEqual(localOutcome("r", tell, { k: "accepted" }), { taken: true, value: undefined });
  assert.deepEqual(localOutcome("r", tell, { k: "not-owner" }), { taken: false });
});

test("ack frontier: a message for several entities is handled when each part is, and passes the floor only when each part is durable", () => {
  const f = new AckFrontier<string>();
  assert.equal(f.addParts(1, [["a", "1a"], ["b", "1b"]]), "added");
  assert.equal(f.add(2, "a", "2a"), "added");
  assert.equal(f.addParts(1, [["a", "1a again"], ["b", "1b again"]]), "pending"); // ack_wait redelivery while in flight
  f.replace(1, "1b again", "b"); // as the consumer does: the redelivery carries the live ack handle
  assert.equal(f.unhandled, 2);
  f.handled(1, "a");
  f.handled(1, "a"); // twice (a replay after an entity restart) counts once
  assert.equal(f.unhandled, 2, "b has not handled message 1");
  f.handled(1, "b");
  assert.equal(f.unhandled, 1);
  f.covered("a", 2);
  assert.equal(f.advance(), undefined, "message 1's part for b is not durable");
  assert.deepEqual(f.pendingFor("b", 0), ["1b again"], "the redelivery's item replaced b's part only");
  assert.deepEqual(f.pendingFor("a", 0), [], "a's parts are durable");
  f.covered("b", 1);
  assert.equal(f.advance(), "2a");
  assert.equal(f.floor, 2);
  assert.equal(f.addParts(2, [["a", "x"], ["c", "y"]]), "stale");
  // forget drops the whole message; settle finishes every part
  f.addParts(3, [["a", "3a"], ["c", "3c"]]);
  f.forget(3);
  assert.deepEqual([f.pending, f.unhandled, f.pendingFor("a", 0)], [0, 0, []]);
  f.addParts(3, [["a", "3a"], ["c", "3c"]]);
  f.settle(3);
  assert.equal(f.advance(), "3c", "the last part's item (every part holds the same ack handle)");
  assert.equal(f.floor, 3);
});

test("ack frontier property: over random multi-part messages and random progress, the floor is the longest prefix whose every part is durable", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = rng(seed);
    const keys = ["a", "b", "c", "d", "e"];
    const f = new AckFrontier<number>();
    const parts = new Map<number, string[]>(); // seq → its keys
    const durable = new Map<string, number>(); // key → covered up to
    const handled = new Set<string>();
    let seq = 0;
    for (let step = 0; step < 80; step++) {
      const r = random();
      if (r < 0.35) {
        seq += 1 + Math.floor(random() * 2);
        const mine = keys.filter(() => random() < 0.4);
        if (mine.length === 0) mine.push(keys[Math.floor(random() * keys.length)]!);
        parts.set(seq, mine);
        assert.equal(f.addParts(seq, mine.map((k) => [k, seq])), "added");
      } else if (r < 0.6) {
        const known = [...parts].filter(([s]) => s > f.floor);
        const pick = known[Math.floor(random() * known.length)];
        if (pick === undefined) continue;
        const key = pick[1][Math.floor(random() * pick[1].length)]!;
        f.handled(pick[0], key);
        handled.add(`${pick[0]}:${key}`);
      } else {
        // An entity's snapshot covers its inputs up to one of its messages (never backwards).
        const key = keys[Math.floor(random() * keys.length)]!;
        const mine = [...parts].filter(([s, ks]) => ks.includes(key) && s > (durable.get(key) ?? 0)).map(([s]) => s);
        const upTo = mine[Math.floor(random() * mine.length)];
        if (upTo === undefined) continue;
        f.covered(key, upTo);
        durable.set(key, upTo);
        for (const [s, ks] of parts) if (s <= upTo && ks.includes(key)) handled.add(`${s}:${key}`);
      }
      f.advance();
      const done = (s: number) => parts.get(s)!.every((k) => (durable.get(k) ?? 0) >= s);
      const seqs = [...parts.keys()].sort((x, y) => x - y);
      let floor = 0;
      for (const s of seqs) {
        if (!done(s)) break;
        floor = s;
      }
      assert.equal(f.floor, floor, `seed ${seed}, step ${step}: floor`);
      const unhandled = seqs.filter((s) => s > floor && parts.get(s)!.some((k) => !handled.has(`${s}:${k}`))).length;
      assert.equal(f.unhandled, unhandled, `seed ${seed}, step ${step}: messages not handled by every part`);
    }
  }
});
