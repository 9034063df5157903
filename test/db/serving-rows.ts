/** Deterministic serving rows for tests and the benchmark. */
import type { Candle1mRow } from "../../src/contracts/candle.js";
import type { SilverBarRow } from "../../src/contracts/silver-bar.js";

export function makeBar(symbol: string, i: number, overrides: Partial<SilverBarRow> = {}): SilverBarRow {
  const windowEnd = 1_700_000_030_000 + i * 10_000;
  const close = 100 + Math.sin(i) * 3 + i * 0.01;
  const warm = i >= 9;
  return {
    symbol,
    windowStart: windowEnd - 30_000,
    windowEnd,
    open: close - 0.5,
    high: close + 1.25,
    low: close - 1.5,
    close,
    avgPrice: close - 0.1,
    vwap: close - 0.05,
    volume: 3.5 + (i % 7),
    tradeCount: 10 + (i % 13),
    volatility: 0.2 + (i % 5) * 0.01,
    lag1: warm ? close - 0.3 : null,
    lag3: warm ? close - 0.7 : null,
    ma5: warm ? close - 0.2 : null,
    ma10: warm ? close - 0.4 : null,
    momentum: warm ? 0.7 : null,
    volatilityChange: warm ? 0.01 : null,
    prediction: warm ? close + 0.1 : null,
    predictionModelVersion: warm ? `${symbol}/v1` : null,
    closingTradeIngestTime: windowEnd + 2_100,
    emitTime: windowEnd + 2_105,
    ...overrides,
  };
}

export function makeCandle(symbol: string, i: number, overrides: Partial<Candle1mRow> = {}): Candle1mRow {
  const close = 50 + Math.cos(i) * 2;
  return {
    symbol,
    openTime: 1_700_000_040_000 + i * 60_000,
    open: close - 0.25,
    high: close + 0.5,
    low: close - 0.75,
    close,
    volume: 12.5 + i,
    tradeCount: 40 + i,
    quoteVolume: (12.5 + i) * close,
    ...overrides,
  };
}

/** The silver message a symbol actor publishes for `row` (a market Bar + features + prediction). */
export function barMessage(row: SilverBarRow, shape: "flat" | "nested" = "flat"): Record<string, unknown> {
  const bar = {
    symbol: row.symbol,
    windowStart: row.windowStart,
    windowEnd: row.windowEnd,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    avgPrice: row.avgPrice,
    vwap: row.vwap,
    volume: row.volume,
    tradeCount: row.tradeCount,
    volatility: row.volatility,
    firstTradeId: 1,
    lastTradeId: 1 + row.tradeCount,
    firstTradeTime: row.windowStart,
    lastTradeTime: row.windowEnd - 1,
    closedByIngestTime: row.closingTradeIngestTime,
  };
  const features =
    row.lag1 === null
      ? null
      : { volatility: row.volatility, lag_1: row.lag1, lag_3: row.lag3, ma_5: row.ma5, ma_10: row.ma10, momentum: row.momentum, volatility_change: row.volatilityChange };
  const rest = { features, prediction: row.prediction, predictionModelVersion: row.predictionModelVersion, emitTime: row.emitTime };
  return shape === "flat" ? { ...bar, ...rest } : { bar, ...rest };
}
