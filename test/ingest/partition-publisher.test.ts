/**
 * The node's publisher writes one message per partition (partition-log.ts): many symbols' batches
 * share a message, one entry per symbol, below the server's max payload, with checkpoints; a log
 * or a spool from the per-symbol layout before it is continued without a trade doubled.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { TradeLogPublisher, tradeLogSubject } from "../../src/ingest/publisher.js";
import { encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { decodePartitionMessage, isPartitionLogSubject, partitionLogSubject } from "../../src/ingest/partition-log.js";
import { DiskSpool } from "../../src/ingest/spool.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import type { Trade } from "../../src/market/trade.js";
import { rng } from "../market/fixtures.js";
import { log, readStream, readTrades, startStack } from "./support.js";

function trade(symbol: string, id: number): Trade {
  const price = 100 + (id % 13);
  return { source: "binance", symbol, tradeId: id, price, quantity: 1, priceText: price.toFixed(8), quantityText: "1.00000000", tradeTime: 1_700_000_000_000 + id, eventTime: 1_700_000_000_000 + id, ingestTime: Date.now(), buyerIsMaker: id % 2 === 0 };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each symbol's ids in the log, in log order. */
function idsBySymbol(trades: readonly Trade[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of trades) {
    const ids = out.get(t.symbol);
    if (ids === undefined) out.set(t.symbol, [t.tradeId]);
    else ids.push(t.tradeId);
  }
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("200 symbols trickling in over 4 partitions: one message per partition carries many symbols' batches, each symbol once; every id once, in order; checkpoints in every partition", { timeout: 60_000 }, async () => {
  await using stack = await startStack();
  const symbols = Array.from({ length: 200 }, (_, i) => `S${i}USDT`);
  const p = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log, partitions: 4, lingerMs: 5, checkpointMs: 200 });
  const random = rng(7);
  const next = new Map(symbols.map((s) => [s, 1]));
  // About 2 s at a live rate, flushes racing the adds.
  const flushes: Promise<void>[] = [];
  for (let round = 0; round < 200; round++) {
    for (let k = 0; k < 30; k++) {
      const s = symbols[Math.floor(random() * symbols.length)]!;
      const id = next.get(s)!;
      p.accept(trade(s, id));
      next.set(s, id + 1);
    }
    if (random() < 0.1) flushes.push(p.flush());
    await pause(random() * 20);
  }
  await Promise.all(flushes);
  await p.flush();
  const messages = await readStream(stack.nc, "TRADES");
  const st = p.status();
  assert.equal(st.published, 6000);
  assert.ok(messages.every((m) => isPartitionLogSubject(m.subject)), "every message is a partition's");
  assert.deepEqual(new Set(messages.map((m) => m.subject)), new Set(range(0, 3).map(partitionLogSubject)));
  assert.equal(st.messagesPublished, messages.length);
  assert.ok(st.batchesPublished > 2 * messages.length, `batches share messages: ${st.batchesPublished} batches in ${messages.length} messages`);
  const decoded = messages.map((m) => ({ subject: m.subject, m: decodePartitionMessage(m.data) }));
  for (const { subject, m } of decoded) for (const e of m.entries) assert.equal(partitionLogSubject(partitionOf((e.mark ?? e.trades[0]!).symbol, 4)), subject, "each symbol in its partition's message");
  for (const part of range(0, 3)) assert.ok(decoded.filter((d) => d.subject === partitionLogSubject(part) && d.m.checkpoint !== null).length >= 2, `partition ${part} checkpoints`);
  const ids = idsBySymbol(await readTrades(stack.nc));
  for (const s of symbols) assert.deepEqual(ids.get(s) ?? [], range(1, next.get(s)! - 1), s);
  await p.close();
});

test("a message is cut below the server's max payload: 20 symbols' 500-trade batches of one partition go out as several messages", { timeout: 60_000 }, async () => {
  const conf = join(mkdtempSync(join(tmpdir(), "nats-conf-")), "max-payload.conf");
  writeFileSync(conf, "max_payload: 262144\n");
  await using stack = await startStack(["-c", conf]);
  rmSync(dirname(conf), { recursive: true });
  const symbols = Array.from({ length: 20 }, (_, i) => `M${i}USDT`);
  const p = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log, partitions: 1, maxBatchTrades: 500, lingerMs: 60_000 });
  await p.prime("binance", symbols);
  for (const s of symbols) for (let id = 1; id <= 500; id++) p.accept(trade(s, id));
  await p.flush();
  const messages = await readStream(stack.nc, "TRADES");
  assert.ok(messages.length >= 4, `${messages.length} messages`);
  assert.ok(messages.every((m) => m.data.length <= 262_144), `largest ${Math.max(...messages.map((m) => m.data.length))} bytes`);
  const ids = idsBySymbol(await readTrades(stack.nc));
  for (const s of symbols) assert.deepEqual(ids.get(s), range(1, 500), s);
  assert.equal(p.status().publishFailures, 0);
  await p.close();
});

test("a log in the per-symbol layout is continued: its last ids are the marks, and a spool written before the switch drains without doubling", { timeout: 60_000 }, async () => {
  await using stack = await startStack();
  const js = jetstream(stack.nc);
  // The old layout: AAAUSDT's 1..100 and BBBUSDT's 1..40 on their own subjects.
  for (const [s, last] of [["AAAUSDT", 100], ["BBBUSDT", 40]] as const) {
    for (let from = 1; from <= last; from += 20) await js.publish(tradeLogSubject("binance", s, 32), encodeTradeBatch(range(from, Math.min(last, from + 19)).map((id) => trade(s, id))));
  }
  // An old node's spool: BBBUSDT 31..60 (its ack for 31..40 was lost), on the symbol's subject.
  const spoolDir = join(stack.tmp, "old-spool");
  const spool = DiskSpool.open(spoolDir);
  spool.append({ header: { subject: tradeLogSubject("binance", "BBBUSDT", 32), msgId: "binance:BBBUSDT:31-60", source: "binance", symbol: "BBBUSDT", firstId: 31, lastId: 60 }, payload: encodeTradeBatch(range(31, 60).map((id) => trade("BBBUSDT", id))) });
  spool.close();
  const p = await TradeLogPublisher.start(stack.nc, { spoolDir, log });
  // A new socket's overlap: AAAUSDT from 90.
  for (let id = 90; id <= 150; id++) p.accept(trade("AAAUSDT", id));
  for (let id = 55; id <= 70; id++) p.accept(trade("BBBUSDT", id));
  await p.flush();
  const ids = idsBySymbol(await readTrades(stack.nc));
  assert.deepEqual(ids.get("AAAUSDT"), range(1, 150));
  assert.deepEqual(ids.get("BBBUSDT"), range(1, 70));
  const st = p.status();
  assert.equal(st.duplicatesDropped, 11 + 6, "AAAUSDT 90..100 were in the old layout, BBBUSDT 55..60 in the spool");
  assert.equal(st.alreadyInLog, 10, "the spool's 31..40 were in the log");
  const newMessages = (await readStream(stack.nc, "TRADES")).filter((m) => isPartitionLogSubject(m.subject));
  assert.ok(newMessages.length >= 1);
  await p.close();
});
