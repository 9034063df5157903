/**
 * The ingest shard handover over a real NATS server: the old owner keeps reading a released shard
 * until the new owner, live, claims it; then it stops, logs what it read and answers, and only then
 * does the new owner let its held trades in. Without an answer the new owner falls back (REST).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { IngestShards, symbolsOfShard } from "../../src/node/components/ingest-shards.js";
import { natsHandover } from "../../src/node/components/ingest-handover.js";
import { ManualClock, systemClock, type Clock } from "../../src/runtime/clock.js";
import { startNatsServer } from "../helpers/nats-server.js";

// A private server like every other test's: the suite needs no NATS at 127.0.0.1:4222.
const server = await startNatsServer();
const nc = await connect({ servers: server.url });
after(async () => {
  await nc.close();
  await server[Symbol.asyncDispose]();
});

const SYMBOLS = Array.from({ length: 64 }, (_, i) => `H${String(i).padStart(2, "0")}USDT`);
const PARTITIONS = 4;
const SHARD = 1;
const MINE = symbolsOfShard(SYMBOLS, SHARD, PARTITIONS);

/** `<prefix> <node>` once a node listens for claims of a shard it released. */
const offers: string[] = [];

/** One node's shards, every call recorded in one shared journal (the order across nodes is what matters). */
function node(name: string, journal: string[], o: { prefix: string; overlapMs?: number; clock?: Clock; flush?: () => Promise<void>; live?: boolean }) {
  const channel = natsHandover(nc, { timeoutMs: 10_000, prefix: o.prefix });
  return new IngestShards(SYMBOLS, {
    partitions: PARTITIONS,
    overlapMs: o.overlapMs ?? 60_000,
    clock: o.clock ?? systemClock,
    adopt: async (s) => {
      journal.push(`${name} adopt ${s.length}`);
      return o.live ?? true;
    },
    settle: async (s, flushed) => void journal.push(`${name} settle ${s.length} ${flushed ? "flushed" : "not-flushed"}`),
    release: async (s) => void journal.push(`${name} release ${s.length}`),
    flush: async (s) => {
      await o.flush?.();
      journal.push(`${name} flushed ${s.length}`);
    },
    handover: {
      claim: (shard) => channel.claim(shard),
      offer: async (shard, finish) => {
        const withdraw = await channel.offer(shard, finish);
        offers.push(`${o.prefix} ${name}`);
        return withdraw;
      },
    },
  });
}

const prefix = () => `test.handover.${randomUUID().slice(0, 8)}`;
const n = MINE.length;

test("a handover ends on the new owner's claim: old owner stops and logs before the new one lets its trades in", async () => {
  const journal: string[] = [];
  const p = prefix();
  let flushDone!: () => void;
  const slowFlush = new Promise<void>((r) => (flushDone = r));
  const a = node("A", journal, { prefix: p, flush: () => slowFlush });
  const b = node("B", journal, { prefix: p });
  await a.startPartition(SHARD);
  assert.deepEqual(journal, [`A adopt ${n}`, `A settle ${n} not-flushed`], "nobody read it before: no one answers the claim");
  journal.length = 0;
  await a.stopPartition(SHARD, "handoff");
  assert.equal(a.reading().length, n, "A keeps reading during the overlap");
  const taking = b.startPartition(SHARD);
  while (!journal.includes(`A release ${n}`)) await new Promise((r) => setTimeout(r, 10));
  assert.ok(!journal.some((l) => l.startsWith("B settle")), "B waits while A logs what it read");
  flushDone();
  await taking;
  assert.deepEqual(journal, [`B adopt ${n}`, `A release ${n}`, `A flushed ${n}`, `B settle ${n} flushed`]);
  assert.equal(a.reading().length, 0);
  assert.equal(b.reading().length, n);
  await a.overlapsEnded(0);
});

test("an overlap that ended on its timer answers no claim: the new owner falls back to the exchange's history", async () => {
  const journal: string[] = [];
  const p = prefix();
  const clock = new ManualClock(0);
  const a = node("A", journal, { prefix: p, overlapMs: 1000, clock });
  const b = node("B", journal, { prefix: p });
  await a.startPartition(SHARD);
  await a.stopPartition(SHARD, "shutdown");
  clock.advance(1000);
  await a.overlapsEnded(0);
  journal.length = 0;
  await b.startPartition(SHARD);
  assert.deepEqual(journal, [`B adopt ${n}`, `B settle ${n} not-flushed`]);
});

test("a lost lease overlaps like a handover; a failed flush is not a handover", async () => {
  const journal: string[] = [];
  const p = prefix();
  const a = node("A", journal, { prefix: p });
  const b = node("B", journal, { prefix: p, flush: () => Promise.reject(new Error("NATS down")) });
  await a.startPartition(SHARD);
  await a.stopPartition(SHARD, "lease-lost");
  assert.equal(a.reading().length, n, "A keeps reading without the lease (the log doubles nothing)");
  // The offer is made in the background on a lost lease: B claims once A listens.
  while (!offers.includes(`${p} A`)) await new Promise((r) => setTimeout(r, 10));
  journal.length = 0;
  await b.startPartition(SHARD);
  assert.deepEqual(journal, [`B adopt ${n}`, `A release ${n}`, `A flushed ${n}`, `B settle ${n} flushed`], "B claimed it: A stopped, logged and answered");
  await b.stopPartition(SHARD, "handoff");
  await a.startPartition(SHARD);
  assert.equal(journal.at(-1), `A settle ${n} not-flushed`, "B could not log what it read: A must not trust the log's marks alone");
  await b.overlapsEnded(0);
});

test("a shard taken back during its overlap was read throughout: no claim, nothing to fill", async () => {
  const journal: string[] = [];
  const p = prefix();
  const a = node("A", journal, { prefix: p });
  const b = node("B", journal, { prefix: p });
  await a.startPartition(SHARD);
  await a.stopPartition(SHARD, "handoff");
  journal.length = 0;
  await a.startPartition(SHARD);
  assert.deepEqual(journal, [`A adopt ${n}`, `A settle ${n} flushed`]);
  await b.startPartition(SHARD + 1);
  assert.equal(journal.at(-1), `B settle ${symbolsOfShard(SYMBOLS, SHARD + 1, PARTITIONS).length} not-flushed`, "A no longer answers claims of the shard it kept");
  journal.length = 0;
  await b.startPartition(SHARD); // a stray claim (A owns it): nobody lingers, nobody answers
  assert.ok(!journal.some((l) => l.startsWith("A")), "A was not asked to stop reading a shard it owns");
});

test("a new owner whose streams were not live in time claims the shard but does not trust the answer: the exchange's history covers the gap", async () => {
  const journal: string[] = [];
  const p = prefix();
  const a = node("A", journal, { prefix: p });
  const b = node("B", journal, { prefix: p, live: false });
  await a.startPartition(SHARD);
  await a.stopPartition(SHARD, "handoff");
  journal.length = 0;
  const taking = b.startPartition(SHARD);
  assert.deepEqual(b.transitions(), { starting: 1, lingering: 0 });
  assert.deepEqual(a.transitions(), { starting: 0, lingering: 1 });
  await taking;
  assert.deepEqual(journal, [`B adopt ${n}`, `A release ${n}`, `A flushed ${n}`, `B settle ${n} not-flushed`], "A stopped at the claim, before B's streams were live");
  assert.deepEqual(b.transitions(), { starting: 0, lingering: 0 });
  assert.deepEqual(a.transitions(), { starting: 0, lingering: 0 });
});
