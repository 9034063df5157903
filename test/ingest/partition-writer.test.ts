/**
 * Per-partition trade messages stay idempotent per trade id on a real nats-server: however several
 * writers of one partition interleave (each on its own connection, fed overlapping id ranges in
 * random chunks with random pauses), each id lands on the subject at most once, in ascending
 * order, with no hole above the first id logged; and a writer new to the subject reads the same
 * tail from the last checkpoint as a fold of the whole subject gives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { advanceTail, decodePartitionMessage, emptyTail, partitionLogSubject, type OutEntry } from "../../src/ingest/partition-log.js";
import { PartitionLogWriter } from "../../src/ingest/partition-writer.js";
import { readPartitionTail } from "../../src/ingest/partition-tail.js";
import type { Trade } from "../../src/market/trade.js";
import { rng } from "../market/fixtures.js";
import { readStream, startStack, type Stack } from "./support.js";

const SYMBOLS = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT"];
const SUBJECT = partitionLogSubject(3);

function trade(symbol: string, id: number): Trade {
  const price = 100 + (id % 17);
  return { source: "binance", symbol, tradeId: id, price, quantity: 1, priceText: price.toFixed(8), quantityText: "1.00000000", tradeTime: 1_700_000_000_000 + id, eventTime: 1_700_000_000_000 + id, ingestTime: Date.now(), buyerIsMaker: id % 2 === 0 };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every message on the subject, decoded, with its sequence. */
async function subjectMessages(stack: Stack) {
  return (await readStream(stack.nc, "TRADES")).filter((m) => m.subject === SUBJECT).map((m) => decodePartitionMessage(m.data));
}

/**
 * One writer's life, as an ingest handover makes it: it starts after a random pause, reads the
 * subject's tail, and is fed each symbol's ids from a little below the last one logged (the
 * overlap a new socket sees) up to `last`, in random chunks of random symbols, with random pauses.
 * Its input has no hole from the log's last id on.
 */
async function writerLife(writer: PartitionLogWriter, random: () => number, stack: Stack, last: number): Promise<void> {
  await pause(random() * 40);
  const tail = await readPartitionTail(jetstream(stack.nc), await jetstreamManager(stack.nc), "TRADES", SUBJECT);
  const next = new Map(SYMBOLS.map((s) => [s, Math.max(1, (tail.lastIds.get("binance", s) ?? 0) + 1 - Math.floor(random() * 30))]));
  while (SYMBOLS.some((s) => next.get(s)! <= last)) {
    const entries: OutEntry[] = [];
    for (const s of SYMBOLS) {
      const from = next.get(s)!;
      if (from > last || random() < 0.4) continue;
      const to = Math.min(last, from + Math.floor(random() * 12));
      entries.push({ trades: Array.from({ length: to - from + 1 }, (_, k) => trade(s, from + k)) });
      next.set(s, to + 1);
    }
    if (entries.length > 0) writer.send(SUBJECT, entries);
    if (random() < 0.5) await pause(random() * 6);
  }
  await writer.drained();
}

test("property: writers racing on one partition log each trade id once, in order, without a hole", async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const random = rng(seed);
    await using stack = await startStack();
    const writers = 2 + (seed % 2);
    const conns = await Promise.all(Array.from({ length: writers }, () => connect({ servers: stack.server.url })));
    try {
      const lasts = conns.map(() => 150 + Math.floor(random() * 60));
      const ws = await Promise.all(conns.map(async (nc) => new PartitionLogWriter(jetstream(nc), await jetstreamManager(nc), { stream: "TRADES", checkpointMs: random() * 30 })));
      await Promise.all(ws.map((w, k) => writerLife(w, rng(seed * 100 + k), stack, lasts[k]!)));

      const messages = await subjectMessages(stack);
      const trades = messages.flatMap((m) => m.entries.flatMap((e) => e.trades));
      const last = Math.max(...lasts);
      for (const s of SYMBOLS) {
        const ids = trades.filter((t) => t.symbol === s).map((t) => t.tradeId);
        const problem = ids.findIndex((id, i) => id !== i + 1);
        assert.equal(problem, -1, `seed ${seed}, ${s}: position ${problem} holds id ${ids[problem]}`);
        assert.equal(ids.length, last, `seed ${seed}, ${s}: ${ids.length} trades, expected 1 to ${last}`);
      }
      const conflicts = ws.reduce((n, w) => n + w.stats.conflicts, 0);
      const trimmed = ws.reduce((n, w) => n + w.stats.tradesTrimmed, 0);
      assert.ok(conflicts + trimmed > 0, `seed ${seed}: the writers never met, so the test proved nothing`);

      // A writer new to the subject: its tail, read from the last checkpoint, equals the fold of every message.
      const whole = emptyTail();
      const seqs = (await readStream(stack.nc, "TRADES")).length; // only this subject's messages are in the stream
      assert.equal(seqs, messages.length);
      messages.forEach((m, k) => advanceTail(whole, k + 1, m));
      const fresh = await readPartitionTail(jetstream(stack.nc), await jetstreamManager(stack.nc), "TRADES", SUBJECT);
      assert.equal(fresh.seq, messages.length);
      assert.deepEqual(fresh.lastIds.toWire(), whole.lastIds.toWire(), `seed ${seed}: the tail read from the checkpoint`);
    } finally {
      await Promise.all(conns.map((nc) => nc.close()));
    }
  }
});

test("a new writer whose checkpoint is gone folds the subject from its start, and goes on without a duplicate", async () => {
  await using stack = await startStack();
  const js = jetstream(stack.nc);
  const jsm = await jetstreamManager(stack.nc);
  const first = new PartitionLogWriter(js, jsm, { stream: "TRADES", checkpointMs: 60_000 });
  for (let k = 0; k < 5; k++) {
    first.send(SUBJECT, SYMBOLS.map((s) => ({ trades: [trade(s, 2 * k + 1), trade(s, 2 * k + 2)] })));
    await first.drained();
  }
  assert.deepEqual([first.stats.messages, first.stats.checkpoints], [5, 1], "five messages, only the first a checkpoint");
  const checkpointSeq = first.tail(SUBJECT)!.checkpointSeq!;
  await jsm.streams.deleteMessage("TRADES", checkpointSeq);

  const second = new PartitionLogWriter(js, jsm, { stream: "TRADES" });
  second.send(SUBJECT, SYMBOLS.map((s) => ({ trades: [9, 10, 11].map((id) => trade(s, id)) })));
  await second.drained();
  assert.equal(second.stats.tradesTrimmed, 2 * SYMBOLS.length, "ids 9 and 10 were in the log after the checkpoint");
  const trades = (await subjectMessages(stack)).flatMap((m) => m.entries.flatMap((e) => e.trades));
  for (const s of SYMBOLS) assert.deepEqual(trades.filter((t) => t.symbol === s).map((t) => t.tradeId), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test("a message on the subject that is not a partition message stops the writer with the reason", async () => {
  await using stack = await startStack();
  const js = jetstream(stack.nc);
  await js.publish(SUBJECT, new TextEncoder().encode('{"v":2,"e":[]}'));
  const writer = new PartitionLogWriter(js, await jetstreamManager(stack.nc), { stream: "TRADES" });
  writer.send(SUBJECT, [{ trades: [trade("AAAUSDT", 1)] }]);
  await assert.rejects(writer.drained(), /partition message without entries/);
  assert.throws(() => writer.send(SUBJECT, [{ trades: [trade("AAAUSDT", 2)] }]), /partition writer stopped/);
});

test("a backlog goes out as bigger messages, each key once per message, a mark never joined to trades", async () => {
  await using stack = await startStack();
  const writer = new PartitionLogWriter(jetstream(stack.nc), await jetstreamManager(stack.nc), { stream: "TRADES", maxMessageTrades: 30 });
  // Queued while the writer reads the tail: ten ticks of two trades for each of the four symbols.
  for (let k = 0; k < 10; k++) writer.send(SUBJECT, SYMBOLS.map((s) => ({ trades: [trade(s, 2 * k + 1), trade(s, 2 * k + 2)] })));
  writer.send(SUBJECT, [{ mark: { source: "binance", symbol: "AAAUSDT", lastId: 20, at: 1, watermark: 1 } }, { trades: [trade("AAAUSDT", 21)] }]);
  await writer.drained();
  const messages = await subjectMessages(stack);
  for (const m of messages) assert.ok(m.entries.reduce((n, e) => n + e.trades.length, 0) <= 30, "at most 30 trades a message");
  assert.ok(messages.length <= 4 + 2, `${messages.length} messages for 81 trades and a mark`);
  const entries = messages.flatMap((m) => m.entries);
  for (const s of SYMBOLS) {
    const ids = entries.flatMap((e) => e.trades).filter((t) => t.symbol === s).map((t) => t.tradeId);
    assert.deepEqual(ids, Array.from({ length: s === "AAAUSDT" ? 21 : 20 }, (_, k) => k + 1), s);
  }
  const aaa = entries.filter((e) => (e.mark ?? e.trades[0]!).symbol === "AAAUSDT").map((e) => (e.mark ? "mark" : `${e.trades[0]!.tradeId}-${e.trades.at(-1)!.tradeId}`));
  assert.deepEqual(aaa.slice(-2), ["mark", "21-21"], "the mark, then the trade after it, in separate messages");
});

test("a subject purged under a writer's tail: the writer reads the tail afresh and goes on", async () => {
  await using stack = await startStack();
  const jsm = await jetstreamManager(stack.nc);
  const writer = new PartitionLogWriter(jetstream(stack.nc), jsm, { stream: "TRADES" });
  writer.send(SUBJECT, [{ trades: [trade("AAAUSDT", 1), trade("AAAUSDT", 2)] }]);
  await writer.drained();
  await jsm.streams.purge("TRADES", { filter: SUBJECT });
  writer.send(SUBJECT, [{ trades: [trade("AAAUSDT", 3)] }]);
  await writer.drained();
  assert.equal(writer.stats.conflicts, 1);
  const trades = (await subjectMessages(stack)).flatMap((m) => m.entries.flatMap((e) => e.trades));
  assert.deepEqual(trades.map((t) => t.tradeId), [3]);
});
