/**
 * History backfilled through the SymbolActor's pure transition equals what the live actor makes
 * of the same trades, for every window and candle that ends by the boundary, and nothing past it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { backfillBars } from "../../src/actors/symbol/backfill.js";
import { createSymbolState, transition, type SymbolEffect } from "../../src/actors/symbol/index.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import type { Candle } from "../../src/market/candles.js";
import { btcTrades } from "./fixtures.js";

const BTC = btcTrades();

async function* each<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

test("backfilled bars and candles = the live actor's on the same trades, up to the boundary (aligned down), emittedAt aside", async () => {
  const live: SymbolEffect[] = transition(createSymbolState("BTCUSDT"), { type: "trades", seq: 1, trades: BTC }, 0).effects;
  const liveBars = live.flatMap((e) => (e.type === "publish-bar" ? [e.bar] : []));
  const liveCandles = live.flatMap((e) => (e.type === "publish-candle" ? [e.candle] : []));
  for (const k of [0.3, 0.5, 0.8]) {
    const before = BTC[Math.floor(BTC.length * k)]!.tradeTime + 1234;
    const bars: SilverBar[] = [];
    const candles: Candle[] = [];
    const counts = await backfillBars(each(BTC), { symbol: "BTCUSDT", windows: {}, beforeMs: before, now: () => 0 }, { bar: (b) => void bars.push(b), candle: (c) => void candles.push(c) });
    const barsEnd = Math.floor(before / 10_000) * 10_000;
    const candlesEnd = Math.floor(before / 60_000) * 60_000;
    const want = liveBars.filter((b) => b.windowEnd <= barsEnd);
    assert.ok(want.length > 5);
    // The live actor closed them later (by a later trade): same content, other closing arrival.
    const strip = (b: SilverBar) => ({ ...b, closedByIngestTime: 0, emittedAt: 0 });
    assert.deepEqual(bars.map(strip), want.map(strip), `k ${k}`);
    assert.deepEqual(candles.map((c) => ({ ...c, closedByIngestTime: 0 })), liveCandles.filter((c) => c.openTime + 60_000 <= candlesEnd).map((c) => ({ ...c, closedByIngestTime: 0 })), `k ${k}`);
    assert.deepEqual(counts, { trades: BTC.filter((t) => t.tradeTime < before).length, bars: bars.length, candles: candles.length });
  }
});
