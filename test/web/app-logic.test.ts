import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, formatNumber, formatPercent, formatPrice, formatQuantity, priceDecimals } from "../../src/web/app/format.js";
import { mergeBar, mergeCandle, predictionOf, tradesPerSecond } from "../../src/web/app/live/state.js";
import { percentile, summarize, RateMeter } from "../../src/runtime/latency.js";
import { resolveStaticPath } from "../../src/web/server/static.js";
import { symbolOfSubject } from "../../src/web/server/decode.js";

test("price decimals follow the price's magnitude", () => {
  const table: [number, number, string][] = [
    [61234.567, 2, "61,234.57"],
    [2612.4, 2, "2,612.40"],
    [150.123, 2, "150.12"],
    [10.5123, 2, "10.51"],
    [2.51234, 3, "2.512"],
    [0.57123, 4, "0.5712"],
    [0.105123, 4, "0.1051"],
    [0.0234512, 5, "0.02345"],
    [0.00001234, 8, "0.00001234"],
  ];
  for (const [price, decimals, text] of table) {
    assert.equal(priceDecimals(price), decimals, `decimals of ${price}`);
    assert.equal(formatPrice(price), text);
  }
  assert.equal(priceDecimals(0), 2);
  assert.equal(formatPrice(null), "—");
  assert.equal(formatPrice(Number.NaN), "—");
});

test("numbers, percents, quantities and durations", () => {
  assert.equal(formatNumber(1234567), "1,234,567");
  assert.equal(formatNumber(12.345, 1), "12.3");
  assert.equal(formatPercent(0.012345), "+1.23%");
  assert.equal(formatPercent(-0.5), "−50.00%");
  assert.equal(formatPercent(0), "0.00%");
  assert.equal(formatQuantity(0.3411), "0.34110");
  assert.equal(formatQuantity(12.5), "12.500");
  assert.equal(formatQuantity(12500), "12,500");
  const durations: [number, string][] = [[850, "850 ms"], [2400, "2.4 s"], [185_000, "3 m 05 s"], [7_440_000, "2 h 04 m"], [266_400_000, "3 d 2 h"]];
  for (const [ms, text] of durations) assert.equal(formatDuration(ms), text);
});

test("mergeCandle replaces, appends, inserts and bounds", () => {
  const c = (t: number, close = 1) => ({ openTime: t, open: 1, high: 1, low: 1, close, volume: 1 });
  assert.deepEqual(mergeCandle([c(1), c(2)], c(2, 5)).map((x) => x.close), [1, 5]);
  assert.deepEqual(mergeCandle([c(1), c(2)], c(3)).map((x) => x.openTime), [1, 2, 3]);
  assert.deepEqual(mergeCandle([c(1), c(3)], c(2)).map((x) => x.openTime), [1, 2, 3]);
  assert.deepEqual(mergeCandle([c(1), c(3)], c(1, 9)).map((x) => x.close), [9, 1]);
  assert.deepEqual(mergeCandle([c(1), c(2)], c(3), 2).map((x) => x.openTime), [2, 3]);
  assert.deepEqual(mergeCandle([], c(1)).map((x) => x.openTime), [1]);
});

test("mergeBar de-duplicates by window end and keeps order", () => {
  const b = (w: number, p = 0) => ({ windowEnd: w, p });
  assert.deepEqual(mergeBar([b(10), b(20)], b(20, 7)), [b(10), b(20, 7)]);
  assert.deepEqual(mergeBar([b(10), b(30)], b(20)), [b(10), b(20), b(30)]);
  assert.deepEqual(mergeBar([b(10), b(20)], b(30), 2), [b(20), b(30)]);
});

test("trades per second over the covered span of the window", () => {
  assert.equal(tradesPerSecond([], 10_000), 0);
  assert.equal(tradesPerSecond([{ at: 9_000, trades: 10 }, { at: 10_000, trades: 10 }], 10_000), 20);
  assert.equal(tradesPerSecond([{ at: 0, trades: 50 }, { at: 5_000, trades: 50 }], 10_000), 10);
  // The count at 1 s is outside the 10 s window ending at 20 s; 30 trades over the 5 s since 15 s.
  assert.equal(tradesPerSecond([{ at: 1_000, trades: 100 }, { at: 15_000, trades: 30 }], 20_000), 6);
});

test("prediction band is ± the bar's volatility; no prediction during warm-up", () => {
  assert.equal(predictionOf(undefined), null);
  assert.equal(predictionOf({ prediction: null, volatility: 1, modelVersion: "m", windowEnd: 1 }), null);
  assert.deepEqual(predictionOf({ prediction: 100, volatility: 2, modelVersion: "m", windowEnd: 5 }), { value: 100, low: 98, high: 102, modelVersion: "m", windowEnd: 5 });
});

test("latency percentiles (nearest rank) and rate meter", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 0.5), 50);
  assert.equal(percentile(xs, 0.99), 99);
  assert.equal(percentile([], 0.5), null);
  assert.deepEqual(summarize([5, 1, 3]), { count: 3, p50: 3, p90: 5, p99: 5, max: 5 });
  let now = 100_000;
  const meter = new RateMeter(10, () => now);
  for (let s = 0; s < 10; s++) {
    meter.add(7);
    now += 1000;
  }
  assert.equal(meter.perSecond(), 7);
  now += 20_000;
  assert.equal(meter.perSecond(), 0);
});

test("static paths never escape the root; subjects name their symbol", () => {
  assert.equal(resolveStaticPath("/srv/web", "/assets/a.js"), "/srv/web/assets/a.js");
  assert.equal(resolveStaticPath("/srv/web", "/../../etc/passwd"), "/srv/web/etc/passwd");
  assert.equal(resolveStaticPath("/srv/web", "/%2e%2e/%2e%2e/etc/passwd"), "/srv/web/etc/passwd");
  assert.equal(resolveStaticPath("/srv/web", "/%E0%A4%A"), null);
  assert.equal(symbolOfSubject("ticks.BTCUSDT"), "BTCUSDT");
  assert.equal(symbolOfSubject("ticks."), null);
  assert.equal(symbolOfSubject("nosymbol"), null);
});
