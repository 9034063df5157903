import type { SilverBar } from "../symbol/messages.js";
import type { SilverBarRow } from "../../lake/tables/silver-bars.js";

/** A silver log message (the SymbolActor's SilverBar) → the silver table's row. */
export function silverRowFromBar(bar: SilverBar, logSeq: number): SilverBarRow {
  const f = bar.features;
  return {
    symbol: bar.symbol,
    windowStart: bar.windowStart,
    windowEnd: bar.windowEnd,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    avgPrice: bar.avgPrice,
    vwap: bar.vwap,
    volume: bar.volume,
    tradeCount: bar.tradeCount,
    volatility: bar.volatility,
    lag1: f?.lag_1 ?? null,
    lag3: f?.lag_3 ?? null,
    ma5: f?.ma_5 ?? null,
    ma10: f?.ma_10 ?? null,
    momentum: f?.momentum ?? null,
    volatilityChange: f?.volatility_change ?? null,
    prediction: bar.prediction,
    predictionModelVersion: bar.modelVersion,
    closingTradeIngestTime: bar.closedByIngestTime,
    emitTime: bar.emittedAt,
    logSeq,
  };
}
