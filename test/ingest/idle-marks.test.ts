/**
 * Idle watermarks and end-of-stream marks: the pure decision, the log format, and a real
 * publisher writing them into a real TRADES stream on a manual clock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTradeBatch, decodeTradeBatchHeader, decodeTradeLogEntry, encodeLogMark, encodeTradeBatch, markMsgId } from "../../src/ingest/batch-codec.js";
import { decodeTradeLogEntries } from "../../src/ingest/partition-log.js";
import { TradeBatchDecodeError } from "../../src/ingest/errors.js";
import { idleClosePoints, idleHorizonMs, idleWatermark } from "../../src/ingest/idle-marks.js";
import { addTrade, advanceWatermark, createWindows } from "../../src/market/windows.js";
import { addTradeToCandles, advanceCandleWatermark, createCandles } from "../../src/market/candles.js";
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
  return (await readStream(nc, "TRADES")).flatMap((m) => decodeTradeLogEntries(m.data));
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

test("idleClosePoints: the next window or candle end plus the lateness above a watermark, none past the last thing that can hold the trade", () => {
  const next = idleClosePoints({ windowSizeMs: 30_000, windowSlideMs: 10_000, candleIntervalMs: 60_000, allowedLatenessMs: 2_000 });
  const t = 600_000_000 + 12_345; // in the pane [600,010,000, 600,020,000), the candle [600,000,000, 600,060,000)
  assert.equal(next(t, t), 600_020_000 + 2_000, "the first window holding t ends with its pane");
  assert.equal(next(t, 600_022_000), 600_030_000 + 2_000, "a close exactly at `after` is already done");
  assert.equal(next(t, 600_032_000), 600_040_000 + 2_000, "the last window holding t ends at its pane start + size");
  assert.equal(next(t, 600_042_000), 600_060_000 + 2_000, "then only the candle is left");
  assert.equal(next(t, 600_062_000), null, "nothing left to close");
  // Without lateness, and a window longer than the candle.
  const wide = idleClosePoints({ windowSizeMs: 120_000, windowSlideMs: 60_000, candleIntervalMs: 60_000, allowedLatenessMs: 0 });
  assert.equal(wide(30_000, 30_000), 60_000);
  assert.equal(wide(30_000, 60_000), 120_000);
  assert.equal(wide(30_000, 120_000), null);
});

test("idleWatermark with nextClose: after the first mark, only marks that close something (or the horizon), at most one per afterMs", () => {
  const geometry = { windowSizeMs: 30_000, windowSlideMs: 10_000, candleIntervalMs: 60_000, allowedLatenessMs: 2_000 };
  const o = { afterMs: 5_000, horizonMs: idleHorizonMs(geometry), nextClose: idleClosePoints(geometry) };
  const t = 600_000_000 + 12_345;
  const k = { lastTradeTime: t, lastArrival: t, markedUpTo: null as number | null };
  assert.equal(idleWatermark(k, t + 5_000, o), t + 5_000, "the first mark after afterMs, as without nextClose");
  k.markedUpTo = t + 5_000;
  assert.equal(idleWatermark(k, t + 9_000, o), null, "600,022,000 not reached yet");
  assert.equal(idleWatermark(k, t + 10_000, o), t + 10_000, "reaches 600,022,000: the first window holding t closes");
  k.markedUpTo = t + 10_000;
  assert.equal(idleWatermark(k, t + 15_000, o), null, "afterMs passed, but nothing closes before 600,032,000");
  assert.equal(idleWatermark(k, t + 19_655, o), t + 19_655);
  k.markedUpTo = t + 19_655;
  assert.equal(idleWatermark(k, t + 29_655, o), t + 29_655, "600,042,000");
  k.markedUpTo = t + 29_655;
  assert.equal(idleWatermark(k, t + 40_000, o), null, "the candle closes at 600,062,000");
  assert.equal(idleWatermark(k, t + 49_655, o), t + 49_655);
  k.markedUpTo = t + 49_655;
  assert.equal(idleWatermark(k, t + 60_000, o), null, "nothing left but the horizon");
  assert.equal(idleWatermark(k, t + 70_000, o), t + o.horizonMs, "the horizon mark, as before");
});

test("property: marks only at close points close the same bars and candles as a mark every afterMs, never later, with fewer marks", () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  let everyAfterMs = 0;
  let atClosePoints = 0;
  for (let round = 0; round < 300; round++) {
    const slide = [1_000, 5_000, 10_000][int(0, 2)]!;
    const geometry = { windowSizeMs: slide * int(1, 4), windowSlideMs: slide, candleIntervalMs: [60_000, 30_000][int(0, 1)]!, allowedLatenessMs: int(0, 3) * 1_000 };
    const afterMs = int(1, 8) * 1_000;
    const start = 1_700_000_000_000 + int(0, 600_000);
    const times = Array.from({ length: int(1, 20) }, () => start + int(0, 120_000)).sort((a, b) => a - b);
    const last = times[times.length - 1]!;
    const arrival = last + int(0, 500);
    const closed = (nextClose: typeof o.nextClose) => {
      const windows = createWindows("X", { sizeMs: geometry.windowSizeMs, slideMs: slide, allowedLatenessMs: geometry.allowedLatenessMs });
      const candles = createCandles("X", { intervalMs: geometry.candleIntervalMs, allowedLatenessMs: geometry.allowedLatenessMs });
      const at = new Map<string, number>();
      const note = (what: string, now: number) => void (at.has(what) || at.set(what, now));
      times.forEach((time, i) => {
        const tr = trade("X", i + 1, time);
        for (const b of addTrade(windows, tr).closedBars) note(`bar ${b.windowStart}`, arrival);
        for (const c of addTradeToCandles(candles, tr).closedCandles) note(`candle ${c.openTime}`, arrival);
      });
      const k = { lastTradeTime: last, lastArrival: arrival, markedUpTo: null as number | null };
      const opts = { afterMs, horizonMs: idleHorizonMs(geometry), nextClose };
      let marks = 0;
      const step = Math.max(100, Math.floor(afterMs / 4)); // the publisher's check period
      for (let now = arrival; now <= arrival + opts.horizonMs + 2 * afterMs; now += step) {
        const wm = idleWatermark(k, now, opts);
        if (wm === null) continue;
        k.markedUpTo = wm;
        marks++;
        for (const b of advanceWatermark(windows, wm - geometry.allowedLatenessMs, now)) note(`bar ${b.windowStart}`, now);
        for (const c of advanceCandleWatermark(candles, wm - geometry.allowedLatenessMs, now)) note(`candle ${c.openTime}`, now);
      }
      return { at, marks };
    };
    const o = { nextClose: idleClosePoints(geometry) as ((t: number, after: number) => number | null) | undefined };
    const before = closed(undefined);
    const after = closed(o.nextClose);
    assert.deepEqual([...after.at.keys()].sort(), [...before.at.keys()].sort(), `round ${round}: the same bars and candles close`);
    for (const [what, when] of after.at) assert.ok(when <= before.at.get(what)!, `round ${round}: ${what} closed at ${when}, every afterMs at ${before.at.get(what)}`);
    assert.ok(after.marks <= before.marks, `round ${round}: ${after.marks} marks, ${before.marks} before`);
    everyAfterMs += before.marks;
    atClosePoints += after.marks;
  }
  assert.ok(atClosePoints * 2 < everyAfterMs, `${atClosePoints} marks at close points, ${everyAfterMs} every afterMs`);
});

test("a node's idle marks follow its window, slide, lateness and the 1-minute candle", async () => {
  const { idleMarksOf } = await import("../../src/node/idle-marks.js");
  const o = idleMarksOf({ idleTimeoutMs: 2_000, windowSizeMs: 2_000, windowSlideMs: 1_000, allowedLatenessMs: 200 })!;
  assert.equal(o.afterMs, 2_000);
  assert.equal(o.horizonMs, 60_200);
  const t = 600_000_000 + 450;
  assert.equal(o.nextClose!(t, t), 600_001_200, "the window ending with t's slide");
  assert.equal(o.nextClose!(t, 600_002_200), 600_060_200, "then the candle");
  assert.equal(idleMarksOf({ idleTimeoutMs: 0, windowSizeMs: 2_000, windowSlideMs: 1_000, allowedLatenessMs: 200 }), undefined);
});
