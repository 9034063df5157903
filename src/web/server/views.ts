/**
 * What the dashboard receives: one shape per kind, whether it came from the database or the
 * log. Pure mappings from the producers' contracts and the serving rows.
 */
import type { SilverBar } from "../../contracts/silver-bar.js";
import type { Candle } from "../../market/candles.js";
import type { Candle1mRow } from "../../contracts/candle.js";
import type { SilverBarRow } from "../../contracts/silver-bar.js";

export interface CandleView {
  symbol: string;
  /** Bucket start, ms since epoch. */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount: number;
}

export interface BarView {
  symbol: string;
  windowStart: number;
  windowEnd: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number;
  volume: number;
  tradeCount: number;
  volatility: number;
  /** Forecast of the next bar's close (null during warm-up). */
  prediction: number | null;
  modelVersion: string | null;
  /** emittedAt − closedByIngestTime, ms (null when the row lacks the times). */
  latencyMs: number | null;
  /** SILVER stream sequence when read from the log, null from the database. */
  seq: number | null;
}

export function candleView(c: Candle): CandleView {
  return { symbol: c.symbol, openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, tradeCount: c.tradeCount };
}

export function candleViewOfRow(r: Candle1mRow): CandleView {
  return { symbol: r.symbol, openTime: r.openTime, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, tradeCount: r.tradeCount };
}

export function barView(b: SilverBar, seq: number | null): BarView {
  return {
    symbol: b.symbol,
    windowStart: b.windowStart,
    windowEnd: b.windowEnd,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    vwap: b.vwap,
    volume: b.volume,
    tradeCount: b.tradeCount,
    volatility: b.volatility,
    prediction: b.prediction,
    modelVersion: b.modelVersion,
    latencyMs: b.emittedAt - b.closedByIngestTime,
    seq,
  };
}

export function barViewOfRow(r: SilverBarRow): BarView {
  return {
    symbol: r.symbol,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    vwap: r.vwap,
    volume: r.volume,
    tradeCount: r.tradeCount,
    volatility: r.volatility,
    prediction: r.prediction,
    modelVersion: r.predictionModelVersion,
    latencyMs: r.emitTime !== null && r.closingTradeIngestTime !== null ? r.emitTime - r.closingTradeIngestTime : null,
    seq: null,
  };
}
