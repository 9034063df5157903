/**
 * What the dashboard receives: one shape per kind, whether it came from the database or the
 * log. Pure mappings from the producers' contracts and the serving rows.
 */
import type { SilverBar, SilverBarRow } from "../../contracts/silver-bar.js";
import type { Candle } from "../../market/candles.js";
import type { Bar } from "../../market/bar.js";
import type { Candle1mRow } from "../../contracts/candle.js";

const CANDLE_VIEW_FIELDS = ["symbol", "openTime", "open", "high", "low", "close", "volume", "tradeCount"] as const;
const BAR_VIEW_FIELDS = ["symbol", "windowStart", "windowEnd", "open", "high", "low", "close", "vwap", "volume", "tradeCount", "volatility"] as const;

/** A candle as the browser draws it (bucket start: `openTime`, ms since epoch). */
export type CandleView = Pick<Candle, (typeof CANDLE_VIEW_FIELDS)[number]>;

export type BarView = Pick<Bar, (typeof BAR_VIEW_FIELDS)[number]> & {
  /** Forecast of the next bar's close (null during warm-up). */
  prediction: number | null;
  modelVersion: string | null;
  /** emittedAt − closedByIngestTime, ms (null when the row lacks the times). */
  latencyMs: number | null;
  /** SILVER stream sequence when read from the log, null from the database. */
  seq: number | null;
};

/** The named fields of a record, as a new object of exactly those fields. */
function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}

export function candleView(c: Candle | Candle1mRow): CandleView {
  return pick(c, CANDLE_VIEW_FIELDS);
}

export function barView(b: SilverBar, seq: number | null): BarView {
  return { ...pick(b, BAR_VIEW_FIELDS), prediction: b.prediction, modelVersion: b.modelVersion, latencyMs: b.emittedAt - b.closedByIngestTime, seq };
}

export function barViewOfRow(r: SilverBarRow): BarView {
  const latencyMs = r.emitTime !== null && r.closingTradeIngestTime !== null ? r.emitTime - r.closingTradeIngestTime : null;
  return { ...pick(r, BAR_VIEW_FIELDS), prediction: r.prediction, modelVersion: r.predictionModelVersion, latencyMs, seq: null };
}
