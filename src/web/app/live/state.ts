/** Pure state updates of the live market page (tested in test/web/live-state.test.ts). */

import type { CandleView } from "../../server/views.js";

export type CandlePoint = Pick<CandleView, "openTime" | "open" | "high" | "low" | "close" | "volume">;

/** Inserts or replaces the candle with the same openTime; keeps ascending order and at most `max`. */
export function mergeCandle<C extends CandlePoint>(candles: readonly C[], c: C, max = 500): C[] {
  const last = candles[candles.length - 1];
  if (last === undefined || c.openTime > last.openTime) return [...candles, c].slice(-max);
  if (c.openTime === last.openTime) return [...candles.slice(0, -1), c];
  const i = candles.findIndex((x) => x.openTime >= c.openTime);
  if (candles[i]!.openTime === c.openTime) return candles.map((x, j) => (j === i ? c : x));
  return [...candles.slice(0, i), c, ...candles.slice(i)].slice(-max);
}

/** Adds a bar keyed by windowEnd (a resumed stream or the history may repeat one). */
export function mergeBar<B extends { windowEnd: number }>(bars: readonly B[], b: B, max = 200): B[] {
  if (bars.some((x) => x.windowEnd === b.windowEnd)) return bars.map((x) => (x.windowEnd === b.windowEnd ? b : x));
  return [...bars, b].sort((x, y) => x.windowEnd - y.windowEnd).slice(-max);
}

export interface TradeCount {
  at: number;
  trades: number;
}

/**
 * Trades per second over the last `windowMs` ending at `now`, or over the time since the first
 * count when that is shorter (so the figure is right a second after the page opens).
 */
export function tradesPerSecond(counts: readonly TradeCount[], now: number, windowMs = 10_000): number {
  let total = 0;
  let first = now;
  for (const c of counts) {
    if (c.at > now - windowMs && c.at <= now) {
      total += c.trades;
      first = Math.min(first, c.at);
    }
  }
  if (total === 0) return 0;
  return total / (Math.max(1_000, now - first) / 1000);
}

/** The prediction drawn ahead of the last candle: target and band (± the bar's volatility). */
export interface PredictionView {
  value: number;
  low: number;
  high: number;
  modelVersion: string | null;
  /** When the bar behind it closed. */
  windowEnd: number;
}

export function predictionOf(bar: { prediction: number | null; volatility: number; modelVersion: string | null; windowEnd: number } | undefined): PredictionView | null {
  if (bar === undefined || bar.prediction === null) return null;
  const band = Math.max(bar.volatility, Math.abs(bar.prediction) * 1e-5);
  return { value: bar.prediction, low: bar.prediction - band, high: bar.prediction + band, modelVersion: bar.modelVersion, windowEnd: bar.windowEnd };
}
