/**
 * Idle watermarks and end-of-stream marks: the pure decision, the log format, and a real
 * publisher writing them into a real TRADES stream on a manual clock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTradeBatch, decodeTradeBatchHeader, decodeTradeLogEntry, encodeLogMark, encodeTradeBatch, markMsgId } from "../../src/ingest/batch-codec.js";
import { TradeBatchDecodeError } from "../../src/ingest/errors.js";
import { idleHorizonMs, idleWatermark } from "../../src/ingest/idle-marks.js";
import { TradeLogPublisher } from "../../src/ingest/publisher.js";
import { ManualClock } from "../../src/runtime/clock.js";
import type { Trade } from "../../src/market/trade.js";
import { log, readStream, startStack } from "./support.js";

const T0 = 1_700_000_000_000;
const OPTIONS = { afterMs: 20_000, horizonMs: idleHorizonMs({ windowSizeMs: 30_000, candleIntervalMs: 60_000, allowedLatenessMs: 2_000 }) };

test("idleWatermark: none while trades come, then the clock's advance from the last trade time, at most one per afterMs, up to the horizon", () => {
  const k = { lastTradeTime: T0, lastArrival: T0 + 300, markedUpTo: null as number | null };
  assert.equal(OPTIONS.horizonMs, 62_000);
  assert.equal(idleWatermark(k, T0 + 300 + 19_999, OPTIONS), null, "not idle yet");
  assert.equal(idleWatermark(k, T0 + 300 + 20_000, OPTIONS), T0 + 20_000, "event time moves by the quiet wall time");
  k.markedUpTo = T0 + 20_000;
  assert.equal(idleWatermark(k, T0 + 300 + 30_000, OPTIONS), null, "a second mark waits afterMs");
  assert.equal(idleWatermark(k, T0 + 300 + 40_000, OPTIONS), T0 + 40_000);
  k.markedUpTo = T0 + 40_000;
  assert.equal(idleWatermark(k, T0 + 300 + 55_000, OPTIONS), null);
  assert.equal(idleWatermark(k, T0 + 300 + 60_000, OPTIONS), T0 + 60_000);
  k.markedUpTo = T0 + 60_000;
  assert.equal(idleWatermark(k, T0 + 300 + 70_000, OPTIONS), T0 + 62_000, "the last one stops at the horizon, however soon");
  k.markedUpTo = T0 + 62_000;
  assert.equal(idleWatermark(k, T0 + 3_600_000, OPTIONS), null, "past the horizon nothing is left to close: no more marks");
  // A new trade starts the count again from its time.
  Object.assign(k, { lastTradeTime: T0 + 3_600_000, lastArrival: T0 + 3_600_100 });
  assert.equal(idleWatermark(k, T0 + 3_600_100 + 20_000, OPTIONS), T0 + 3_620_000);
  assert.equal(idleWatermark(k, T0 + 10_000_000, { ...OPTIONS, afterMs: 0 }), null, "afterMs 0: off");
});

test("a mark is its own TRADES entry: decoded as no trades and a mark, with a high-water mark readers already understand", () => {
  const wm = { source: "binance", symbol: "BTCUSDT", lastId: 42, at: T0 + 25_000, watermark: T0 + 20_000 };
  const entry = decodeTradeLogEntry(encodeLogMark(wm));
  assert.deepEqual(entry, { trades: [], mark: wm });
  assert.deepEqual(decodeTradeBatch(encodeLogMark(wm)), [], "the bronze writer's decoder sees no trade");
  assert.deepEqual(decodeTradeBatchHeader(encodeLogMark(wm)), { source: "binance", symbol: "BTCUSDT", firstId: 43, lastId: 42, count: 0 });
  const end = { source: "binance", symbol: "BTCUSDT", lastId: 42, at: T0, end: true as const };
  assert.deepEqual(decodeTradeLogEntry(encodeLogMark(end)).mark, end);
  assert.equal(markMsgId(wm), `binance:BTCUSDT:wm-42-${T0 + 20_000}`);
  assert.equal(markMsgId(end), "binance:BTCUSDT:end-42");
  const t: Trade = { source: "binance", symbol: "BTCUSDT", tradeId: 1, price: 1, quantity: 1, priceText: "1", quantityText: "1", tradeTime: T0, eventTime: T0, ingestTime: T0, buyerIsMaker: false };
  assert.equal(decodeTradeLogEntry(encodeTradeBatch([t])).mark, null);
  for (const [body, why] of [
    ['{"v":1,"source":"b","symbol":"X","lastId":1,"at":5,"watermark":"soon"}', /watermark "soon"/],
    ['{"v":1,"source":"b","symbol":"X","lastId":1.5,"at":5,"watermark":7}', /lastId and at/],
    ['{"v":1,"source":"b","symbol":"X","lastId":1,"at":5,"end":false}', /end: true/],
    ['{"v":1,"source":"b","symbol":"X","lastId":1,"at":5,"end":true,"watermark":3}', /end: true/],
  ] as const) {
    assert.throws(() => decodeTradeLogEntry(body), (e: unknown) => e instanceof TradeBatchDecodeError && why.test(e.message), body);
  }
  assert.throws(() => encodeLogMark({ ...wm, watermark: 1.5 }), /watermark 1.5/);
});

function trade(symbol: string, id: number, time: number): Trade {
  return { source: "binance", symbol, tradeId: id, price: 100, quantity: 1, priceText: "100.00", quantityText: "1.00", tradeTime: time, eventTime: time, ingestTime: time, buyerIsMaker: false };
}

async function entriesOf(nc: Parameters<typeof readStream>[0]) {
  return (await readStream(nc, "TRADES")).map((m) => decodeTradeLogEntry(m.data));
}

test("a real publisher logs idle marks after the trades of a quiet symbol only while its feed is live, and an end mark only for symbols it logged", async () => {
  await using stack = await startStack();
  const clock = new ManualClock(T0);
  let live = true;
  const p = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log, clock, idleMarks: { ...OPTIONS, live: () => live } });
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      clock.advance(10);
      await new Promise((r) => setTimeout(r, 5));
    }
    await p.flush();
  };
  await p.prime("binance", ["QUIETUSDT", "BUSYUSDT"]);
  p.accept(trade("QUIETUSDT", 1, T0 - 500));
  p.accept(trade("QUIETUSDT", 2, T0 - 200));
  await settle();
  // BUSY trades every 5 s for 60 s; QUIET is silent.
  for (let s = 0; s < 12; s++) {
    clock.advance(5_000);
    p.accept(trade("BUSYUSDT", s + 1, clock.now()));
    await settle();
  }
  const marks = (await entriesOf(stack.nc)).flatMap((e) => (e.mark ? [e.mark] : []));
  assert.ok(marks.every((m) => m.symbol === "QUIETUSDT"), `the busy symbol gets no mark: ${JSON.stringify(marks)}`);
  assert.ok(marks.length >= 2 && marks.length <= 3, `about one mark per 20 s of quiet: ${marks.length}`);
  assert.ok(marks.every((m) => "watermark" in m && m.lastId === 2 && m.watermark > T0 - 200 && m.watermark <= T0 - 200 + OPTIONS.horizonMs));
  const wms = marks.map((m) => ("watermark" in m ? m.watermark : 0));
  assert.deepEqual(wms, [...wms].sort((a, b) => a - b), "marks only move forward");
  assert.equal(p.status().idleMarks, marks.length);

  // While the feed is down a reconnect's gap fill may still bring older trades: no mark.
  live = false;
  p.accept(trade("QUIETUSDT", 3, clock.now()));
  await settle();
  const before = p.status().idleMarks;
  for (let s = 0; s < 8; s++) {
    clock.advance(10_000);
    await settle();
  }
  assert.equal(p.status().idleMarks, before, "no mark while the feed is not live");

  // The end of the stream: one end mark for each symbol this publisher logged, after its trades.
  await p.endOfStream("binance", ["QUIETUSDT", "NEVERUSDT"]);
  const entries = await entriesOf(stack.nc);
  const last = entries[entries.length - 1]!;
  assert.deepEqual(last.mark, { source: "binance", symbol: "QUIETUSDT", lastId: 3, at: clock.now(), end: true });
  assert.equal(p.status().endMarks, 1, "a symbol that logged nothing here gets no end mark");
  await p.close();
});

test("a mark written after trades another publisher has since logged is dropped, not sent with a stale high-water mark", async () => {
  await using stack = await startStack();
  const clock = new ManualClock(T0);
  const a = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir + "-a", log, clock, idleMarks: OPTIONS });
  const b = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir + "-b", log });
  await a.prime("binance", ["XUSDT"]);
  a.accept(trade("XUSDT", 1, T0));
  for (let i = 0; i < 5; i++) clock.advance(10);
  await a.flush();
  // Another node logs 2..5 (an ingest handover), then `a` goes idle.
  await b.prime("binance", ["XUSDT"]);
  for (let id = 2; id <= 5; id++) b.accept(trade("XUSDT", id, T0 + id));
  await b.flush();
  clock.advance(25_000);
  await new Promise((r) => setTimeout(r, 50));
  await a.flush();
  const entries = await entriesOf(stack.nc);
  assert.ok(a.status().idleMarks >= 1, "a wrote a mark");
  assert.ok(a.status().tailConflicts >= 1, "and found the subject moved on");
  assert.deepEqual(entries.map((e) => (e.mark ? "mark" : e.trades.map((t) => t.tradeId).join(","))), ["1", "2,3,4,5"], "the stale mark is not in the log");
  await a.close();
  await b.close();
});
