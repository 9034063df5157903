/** Shared test helpers for the MLOps tests: silver bars from the SymbolActor, lake rows, temp dirs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Trade } from "../../src/market/trade.js";
import { createSymbolState, transition, type SilverBar } from "../../src/actors/symbol/index.js";
import type { SilverBarRow } from "../../src/lake/index.js";

/** Runs the SymbolActor's transition over the trades (batches of `batch`) and returns its published bars. */
export function onlineBars(trades: readonly Trade[], symbol: string, batch = 97): SilverBar[] {
  const state = createSymbolState(symbol);
  const bars: SilverBar[] = [];
  for (let i = 0; i < trades.length; i += batch) {
    const slice = trades.slice(i, i + batch);
    for (const e of transition(state, { type: "trades", seq: i + slice.length, trades: slice }, 2_000_000_000_000 + i).effects) {
      if (e.type === "publish-bar") bars.push(e.bar);
    }
  }
  return bars;
}

/** A SilverBar as the lake's silver_bars table stores it. */
export function lakeRowOf(b: SilverBar, logSeq: number): SilverBarRow {
  const f = b.features;
  return {
    symbol: b.symbol,
    windowStart: b.windowStart,
    windowEnd: b.windowEnd,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    avgPrice: b.avgPrice,
    vwap: b.vwap,
    volume: b.volume,
    tradeCount: b.tradeCount,
    volatility: b.volatility,
    lag1: f?.lag_1 ?? null,
    lag3: f?.lag_3 ?? null,
    ma5: f?.ma_5 ?? null,
    ma10: f?.ma_10 ?? null,
    momentum: f?.momentum ?? null,
    volatilityChange: f?.volatility_change ?? null,
    prediction: b.prediction,
    predictionModelVersion: b.modelVersion,
    closingTradeIngestTime: b.closedByIngestTime,
    emitTime: b.emittedAt,
    logSeq,
  };
}

export function tempDir(prefix = "mlops-"): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}
