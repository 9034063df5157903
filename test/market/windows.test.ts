import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trade } from "../../src/market/trade.js";
import type { Bar } from "../../src/market/bar.js";
import {
  addTrade,
  createWindows,
  flushWindows,
  restoreWindows,
  snapshotWindows,
  WindowOptionsError,
  type WindowState,
} from "../../src/market/windows.js";
import { btcTrades, exactDecimalSum, rng } from "./fixtures.js";

let nextId = 1;
function tr(tradeTime: number, price: number, quantity = 1, tradeId = nextId++, ingestTime = tradeTime + 1): Trade {
  return {
    source: "test",
    symbol: "T",
    tradeId,
    price,
    quantity,
    priceText: String(price),
    quantityText: String(quantity),
    tradeTime,
    eventTime: tradeTime,
    ingestTime,
    buyerIsMaker: false,
  };
}

function run(state: WindowState, trades: Trade[]): { bars: Bar[]; late: number } {
  const bars: Bar[] = [];
  let late = 0;
  for (const t of trades) {
    const r = addTrade(state, t);
    bars.push(...r.closedBars);
    if (r.late) late++;
  }
  return { bars, late };
}

test("window options are validated with named errors", () => {
  assert.throws(() => createWindows("T", { sizeMs: 25_000 }), WindowOptionsError);
  assert.throws(() => createWindows("T", { slideMs: 0 }), WindowOptionsError);
  assert.throws(() => createWindows("T", { allowedLatenessMs: -1 }), WindowOptionsError);
  assert.deepEqual(createWindows("T").options, { sizeMs: 30_000, slideMs: 10_000, allowedLatenessMs: 2_000 });
});

test("a window closes exactly when the watermark (max time − 2 s) reaches its end", () => {
  const s = createWindows("T");
  assert.deepEqual(addTrade(s, tr(25_000, 10)).closedBars, []); // in [0,30s), [10s,40s), [20s,50s)
  assert.deepEqual(addTrade(s, tr(31_999, 11)).closedBars, []); // watermark 29 999 < 30 000
  const r = addTrade(s, tr(32_000, 12, 1, 99, 777)); // watermark 30 000 closes [0, 30 s)
  assert.equal(r.closedBars.length, 1);
  const bar = r.closedBars[0]!;
  assert.equal(bar.windowStart, 0);
  assert.equal(bar.windowEnd, 30_000);
  assert.equal(bar.tradeCount, 1);
  assert.equal(bar.close, 10);
  assert.equal(bar.volatility, 0);
  assert.equal(bar.closedByIngestTime, 777);
});

test("hand-computed bar: OHLC by trade time then id, avg, vwap, volume, population std-dev", () => {
  const s = createWindows("T", { allowedLatenessMs: 0 });
  // Arrive out of order; two trades share time 5 000 (id decides the close).
  const trades = [tr(5_000, 4, 2, 11), tr(1_000, 2, 1, 10), tr(5_000, 6, 1, 12), tr(3_000, 8, 4, 9)];
  run(s, trades);
  const bars = run(s, [tr(60_000, 1, 1, 50)]).bars;
  const first = bars[0]!;
  assert.equal(first.windowStart, -20_000);
  // prices 2, 8, 4, 6 → mean 5, squared deviations 9+9+1+1 = 20, variance 20/4 = 5
  assert.deepEqual(
    { ...first, volatility: Math.round(first.volatility * 1e12) / 1e12 },
    {
      symbol: "T",
      windowStart: -20_000,
      windowEnd: 10_000,
      open: 2,
      high: 8,
      low: 2,
      close: 6,
      avgPrice: 5,
      vwap: (2 * 1 + 8 * 4 + 4 * 2 + 6 * 1) / 8,
      volume: 8,
      tradeCount: 4,
      volatility: Math.round(Math.sqrt(5) * 1e12) / 1e12,
      firstTradeId: 9,
      lastTradeId: 12,
      firstTradeTime: 1_000,
      lastTradeTime: 5_000,
      closedByIngestTime: 60_001,
    },
  );
  assert.deepEqual(
    bars.map((b) => b.windowStart),
    [-20_000, -10_000, 0],
  );
});

test("windows with no trades produce no bar, however long the gap", () => {
  const s = createWindows("T");
  run(s, [tr(5_000, 1)]);
  const { bars } = run(s, [tr(86_400_000 * 3, 2)]);
  assert.deepEqual(
    bars.map((b) => b.windowStart),
    [-20_000, -10_000, 0],
  );
  assert.equal(s.panes.length, 1); // only the new trade's pane is kept
});

test("lateness boundary: a trade is late exactly when its first window's end ≤ watermark", () => {
  const s = createWindows("T");
  run(s, [tr(42_000, 100)]); // watermark 40 000: [10 s, 40 s) has just closed
  assert.equal(addTrade(s, tr(39_999, 1)).late, true);
  assert.equal(addTrade(s, tr(40_000, 1)).late, false);
  const s2 = createWindows("T");
  run(s2, [tr(41_999, 100)]); // watermark 39 999: [10 s, 40 s) still open
  assert.equal(addTrade(s2, tr(39_999, 1)).late, false);
  assert.equal(addTrade(s2, tr(30_000, 1)).late, false);
  assert.equal(addTrade(s2, tr(29_999, 1)).late, true);
});

test("late trades: counted, returned as late, never merged; on-time out-of-order trades are placed", () => {
  const s = createWindows("T");
  run(s, [tr(50_000, 100)]); // watermark 48 000: windows ending ≤ 48 000 are closed
  const late = addTrade(s, tr(39_999, 1)); // its earliest window [10 s, 40 s) is closed
  assert.equal(late.late, true);
  assert.equal(s.lateTrades, 1);
  const onTime = addTrade(s, tr(40_000, 200)); // earliest window [20 s, 50 s) still open
  assert.equal(onTime.late, false);
  const bars = flushWindows(s, 0);
  assert.deepEqual(
    bars.map((b) => [b.windowStart, b.tradeCount, b.open, b.close]),
    [
      [20_000, 1, 200, 200],
      [30_000, 2, 200, 100],
      [40_000, 2, 200, 100],
      [50_000, 1, 100, 100],
    ],
  );
  assert.ok(bars.every((b) => b.low !== 1));
});

/**
 * The independent version: no panes, no merging, no incremental statistics. It replays arrival
 * order only to know which trades were late and which arrival closed each window, then for every
 * 10 s-aligned window collects its trades by time and computes the statistics directly.
 */
function bruteForceBars(arrivals: Trade[], size = 30_000, slide = 10_000, lateness = 2_000): { bars: Bar[]; late: number } {
  let maxT = -Infinity;
  const accepted: Trade[] = [];
  const maxAfter: { maxT: number; ingest: number }[] = [];
  let late = 0;
  for (const t of arrivals) {
    const watermark = maxT - lateness;
    // The first window containing t is the one with the smallest aligned start s > t − size.
    const firstStart = (Math.floor((t.tradeTime - size) / slide) + 1) * slide;
    if (firstStart + size <= watermark) late++;
    else accepted.push(t);
    maxT = Math.max(maxT, t.tradeTime);
    maxAfter.push({ maxT, ingest: t.ingestTime });
  }
  const finalWatermark = maxT - lateness;
  const starts = new Set<number>();
  for (const t of accepted) for (let s = Math.floor(t.tradeTime / slide) * slide; s > t.tradeTime - size; s -= slide) starts.add(s);
  const bars: Bar[] = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    const end = start + size;
    if (end > finalWatermark) continue;
    const inside = accepted.filter((t) => t.tradeTime >= start && t.tradeTime < end);
    inside.sort((a, b) => a.tradeTime - b.tradeTime || a.tradeId - b.tradeId);
    const prices = inside.map((t) => t.price);
    const n = prices.length;
    const mean = prices.reduce((a, b) => a + b, 0) / n;
    const variance = prices.reduce((a, p) => a + (p - mean) ** 2, 0) / n;
    const volume = Number(exactDecimalSum(inside.map((t) => t.quantityText)));
    const quote = inside.reduce((a, t) => a + t.price * t.quantity, 0);
    const closer = maxAfter.find((m) => m.maxT - lateness >= end)!;
    bars.push({
      symbol: inside[0]!.symbol,
      windowStart: start,
      windowEnd: end,
      open: prices[0]!,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close: prices[n - 1]!,
      avgPrice: mean,
      vwap: quote / volume,
      volume,
      tradeCount: n,
      volatility: Math.sqrt(variance),
      firstTradeId: Math.min(...inside.map((t) => t.tradeId)),
      lastTradeId: Math.max(...inside.map((t) => t.tradeId)),
      firstTradeTime: inside[0]!.tradeTime,
      lastTradeTime: inside[n - 1]!.tradeTime,
      closedByIngestTime: closer.ingest,
    });
  }
  return { bars, late };
}

function assertBarsMatch(actual: Bar[], expected: Bar[]): void {
  assert.equal(actual.length, expected.length, "bar count");
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const where = `bar ${i} [${e.windowStart}]`;
    // Order statistics, counts, ids, times and the decimal-exact volume must match exactly.
    for (const k of ["symbol", "windowStart", "windowEnd", "open", "high", "low", "close", "volume", "tradeCount", "firstTradeId", "lastTradeId", "firstTradeTime", "lastTradeTime", "closedByIngestTime"] as const) {
      assert.equal(a[k], e[k], `${where} ${k}`);
    }
    // Float sums in a different order: equal to ~1e-12 relative.
    for (const k of ["avgPrice", "vwap"] as const) assert.ok(Math.abs(a[k] - e[k]) <= 1e-12 * Math.abs(e[k]), `${where} ${k} ${a[k]} vs ${e[k]}`);
    assert.ok(Math.abs(a.volatility - e.volatility) <= 1e-8, `${where} volatility ${a.volatility} vs ${e.volatility}`);
  }
}

const BTC = btcTrades();

test("19,904 real BTCUSDT trades: bars equal a brute-force computation", () => {
  assert.equal(BTC.length, 19_904);
  const s = createWindows("BTCUSDT");
  const got = run(s, BTC);
  const want = bruteForceBars(BTC);
  assert.equal(got.late, 0);
  assert.equal(want.late, 0);
  assert.ok(want.bars.length >= 60, `expected ~64 bars over 11 minutes, got ${want.bars.length}`);
  assertBarsMatch(got.bars, want.bars);
  assert.equal(s.barsEmitted, got.bars.length);
});

test("the same trades delivered out of order (some beyond lateness): placed or counted late exactly as brute force", () => {
  const random = rng(42);
  // Each trade is delayed 0–4 s with probability 0.2; arrival order follows the delayed time.
  const delayed = BTC.map((t, i) => ({ t, at: t.tradeTime + (random() < 0.2 ? random() * 4_000 : 0), i }));
  delayed.sort((a, b) => a.at - b.at || a.i - b.i);
  const arrivals = delayed.map((d, i) => ({ ...d.t, ingestTime: 5_000_000 + i }));
  const s = createWindows("BTCUSDT");
  const got = run(s, arrivals);
  const want = bruteForceBars(arrivals);
  assert.ok(want.late > 0, "the perturbation must produce late trades");
  assert.ok(want.late < arrivals.length / 10);
  assert.equal(got.late, want.late);
  assert.equal(s.lateTrades, want.late);
  assertBarsMatch(got.bars, want.bars);
});

test("other window shapes (60 s sliding 15 s, lateness 0.5 s) also equal brute force on shuffled real trades", () => {
  const random = rng(9);
  const delayed = BTC.map((t, i) => ({ t, at: t.tradeTime + (random() < 0.1 ? random() * 2_000 : 0), i }));
  delayed.sort((a, b) => a.at - b.at || a.i - b.i);
  const arrivals = delayed.map((d, i) => ({ ...d.t, ingestTime: 9_000_000 + i }));
  const s = createWindows("BTCUSDT", { sizeMs: 60_000, slideMs: 15_000, allowedLatenessMs: 500 });
  const got = run(s, arrivals);
  const want = bruteForceBars(arrivals, 60_000, 15_000, 500);
  assert.ok(want.late > 0);
  assert.equal(got.late, want.late);
  assertBarsMatch(got.bars, want.bars);
});

test("snapshot (through JSON) mid-stream + restore + continue = uninterrupted run", () => {
  const whole = run(createWindows("BTCUSDT"), BTC).bars;
  for (const cut of [1, 777, 9_952, 19_903]) {
    const s = createWindows("BTCUSDT");
    const before = run(s, BTC.slice(0, cut)).bars;
    const restored = restoreWindows(JSON.parse(JSON.stringify(snapshotWindows(s))));
    const after = run(restored, BTC.slice(cut)).bars;
    assert.deepEqual([...before, ...after], whole, `cut at ${cut}`);
  }
});

test("snapshotWindows is a deep copy: later trades do not change it", () => {
  const s = createWindows("BTCUSDT");
  run(s, BTC.slice(0, 100));
  const snap = snapshotWindows(s);
  const text = JSON.stringify(snap);
  run(s, BTC.slice(100, 200));
  assert.equal(JSON.stringify(snap), text);
});
