/** The SymbolActor's messages (in) and effects (out): tagged unions, handled exhaustively. */
import type { Trade } from "../../market/trade.js";
import type { Candle } from "../../market/candles.js";
import type { SilverBar } from "../../contracts/silver-bar.js";
import type { Predictor } from "../../ml/predictor.js";
import type { SymbolSnapshot, SymbolStatus } from "./state.js";

export type SymbolMessage =
  /**
   * Trades of this symbol from the log, in log order. `seq` is the log (stream) sequence of the
   * last one; redelivered trades are recognised by trade id, so batches may overlap.
   */
  | { type: "trades"; seq: number; trades: readonly Trade[]; mark?: EventTimeMark | null }
  /** A new champion model: used from the next bar on, no restart. */
  | { type: "model-changed"; predictor: Predictor }
  /** Timer: publish the latest trade (at most one tick per timer period, and only if it changed). */
  | { type: "tick" }
  /** Replies with counters and positions (admin `status`). */
  | { type: "status" }
  /** Replies with the JSON snapshot to persist (the shell then acks the log up to its lastSeq). */
  | { type: "snapshot" };

/**
 * A mark in the log (no trades): event time moved on to `watermark` (the symbol was idle), or the
 * stream ended (`end`: a replay or an import finished). The windows and candles it closes record
 * `at`, when the publisher wrote it, as their closing ingest time.
 */
export type EventTimeMark = { at: number; watermark: number } | { at: number; end: true };

/** The newest trade, for live charts; throttled by the tick timer. */
export interface LiveTick {
  symbol: string;
  price: number;
  quantity: number;
  tradeId: number;
  tradeTime: number;
  ingestTime: number;
  /** Trades accepted since the previous tick. */
  tradesSinceLastTick: number;
  /** The in-progress candle, or null. */
  candle: Candle | null;
  emittedAt: number;
}

export type SymbolEffect =
  | { type: "publish-bar"; bar: SilverBar }
  | { type: "publish-candle"; candle: Candle }
  | { type: "publish-tick"; tick: LiveTick }
  /** A trade older than the watermark allows: counted, kept in bronze, never merged. */
  | { type: "late-trade"; trade: Trade }
  /** A trade with a non-finite/non-positive price, bad quantity, time or id: refused (to the DLQ). */
  | { type: "invalid-trade"; trade: Trade; reason: string }
  /** Trade ids jumped: `missing` trades between `afterTradeId` and `tradeId` never arrived. */
  | { type: "trade-gap"; symbol: string; afterTradeId: number; tradeId: number; missing: number }
  | { type: "prediction-failed"; symbol: string; modelVersion: string; windowEnd: number; error: string }
  | { type: "model-swapped"; symbol: string; from: string; to: string }
  | { type: "reply-status"; status: SymbolStatus }
  | { type: "reply-snapshot"; snapshot: SymbolSnapshot };
