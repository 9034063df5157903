/** The SymbolActor's state: everything needed to resume exactly, plus the (non-JSON) model. */
import type { Bar } from "../../market/bar.js";
import { FEATURE_WARMUP_BARS } from "../../market/features.js";
import { createWindows, restoreWindows, snapshotWindows, type WindowOptions, type WindowState } from "../../market/windows.js";
import { createCandles, restoreCandles, snapshotCandles, type CandleState } from "../../market/candles.js";
import { naivePredictor, type Predictor } from "../../ml/predictor.js";

export interface SymbolOptions {
  windows: WindowOptions;
  /** Candle interval (ms); candles use the windows' allowed lateness. Default 60 000. */
  candleIntervalMs: number;
}

export interface SymbolCounters {
  /** Trades accepted (not duplicate, not misrouted), late ones included. */
  trades: number;
  /** Trades too late for their windows (not in any bar). */
  lateForWindows: number;
  /** Trades too late for their candle. */
  lateForCandles: number;
  /** Redelivered trades (trade id ≤ last seen), ignored. */
  duplicates: number;
  /** Times the trade id jumped by more than one, and the trades missing in total. */
  gaps: number;
  missingTrades: number;
  /** Trades of another symbol sent here, ignored. */
  misrouted: number;
  /** Trades refused as malformed (bad price, quantity, time or id). */
  invalid: number;
  bars: number;
  candles: number;
  ticks: number;
  predictionFailures: number;
}

export interface LastTrade {
  price: number;
  quantity: number;
  tradeId: number;
  tradeTime: number;
  ingestTime: number;
}

/** The JSON part of the state (what a snapshot holds). */
export interface SymbolData {
  version: 1;
  symbol: string;
  options: SymbolOptions;
  windows: WindowState;
  candles: CandleState;
  /** The last FEATURE_WARMUP_BARS bars: exactly what features need. */
  history: Bar[];
  /** Largest trade id accepted; ids at or below it are redeliveries. */
  lastTradeId: number | null;
  /** Largest log sequence handled (0 before any). */
  lastSeq: number;
  counters: SymbolCounters;
  lastTrade: LastTrade | null;
  tradesSinceLastTick: number;
}

export interface SymbolState extends SymbolData {
  predictor: Predictor;
}

/** Snapshot: the JSON state plus the version of the model that was live. */
export interface SymbolSnapshot extends SymbolData {
  modelVersion: string;
}

export interface SymbolStatus {
  symbol: string;
  lastSeq: number;
  lastTradeId: number | null;
  watermark: number | null;
  modelVersion: string;
  historyBars: number;
  openPanes: number;
  openCandles: number;
  counters: SymbolCounters;
}

export function createSymbolState(
  symbol: string,
  options: { windows?: Partial<WindowOptions>; candleIntervalMs?: number } = {},
  predictor: Predictor = naivePredictor,
): SymbolState {
  const windows = createWindows(symbol, options.windows);
  const candleIntervalMs = options.candleIntervalMs ?? 60_000;
  const candles = createCandles(symbol, { intervalMs: candleIntervalMs, allowedLatenessMs: windows.options.allowedLatenessMs });
  return {
    version: 1,
    symbol,
    options: { windows: { ...windows.options }, candleIntervalMs },
    windows,
    candles,
    history: [],
    lastTradeId: null,
    lastSeq: 0,
    counters: { trades: 0, lateForWindows: 0, lateForCandles: 0, duplicates: 0, gaps: 0, missingTrades: 0, misrouted: 0, invalid: 0, bars: 0, candles: 0, ticks: 0, predictionFailures: 0 },
    lastTrade: null,
    tradesSinceLastTick: 0,
    predictor,
  };
}

/**
 * A copy of the JSON part, with the windows, candles and bar history given (copied or checked by
 * the caller): the one list of fields a snapshot and a restore both carry across.
 */
function copyData(d: SymbolData, windows: WindowState, candles: CandleState, history: Bar[]): SymbolData {
  return {
    version: 1,
    symbol: d.symbol,
    options: { windows: { ...d.options.windows }, candleIntervalMs: d.options.candleIntervalMs },
    windows,
    candles,
    history,
    lastTradeId: d.lastTradeId,
    lastSeq: d.lastSeq,
    counters: { ...d.counters },
    lastTrade: d.lastTrade === null ? null : { ...d.lastTrade },
    tradesSinceLastTick: d.tradesSinceLastTick,
  };
}

/** A deep, JSON-safe copy of the state (the model is recorded by version only). */
export function snapshotSymbolState(s: SymbolState): SymbolSnapshot {
  return { ...copyData(s, snapshotWindows(s.windows), snapshotCandles(s.candles), s.history.map((b) => ({ ...b }))), modelVersion: s.predictor.version };
}

export class SymbolSnapshotError extends Error {
  override name = "SymbolSnapshotError";
}

/**
 * Rebuilds the state from a snapshot (possibly parsed from JSON). The caller supplies the model,
 * normally the one `snapshot.modelVersion` names, so predictions after a restore equal those of
 * an uninterrupted run.
 */
export function restoreSymbolState(snapshot: unknown, predictor: Predictor = naivePredictor): SymbolState {
  const s = snapshot as Partial<SymbolSnapshot> | null;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.symbol !== "string" || !Array.isArray(s.history) || s.counters === undefined || s.options === undefined) {
    throw new SymbolSnapshotError("not a version-1 SymbolActor snapshot");
  }
  const full = s as SymbolSnapshot;
  return { ...copyData(full, restoreWindows(full.windows), restoreCandles(full.candles), full.history.map((b) => ({ ...b })).slice(-FEATURE_WARMUP_BARS)), predictor };
}

export function statusOf(s: SymbolState): SymbolStatus {
  return {
    symbol: s.symbol,
    lastSeq: s.lastSeq,
    lastTradeId: s.lastTradeId,
    watermark: s.windows.watermark,
    modelVersion: s.predictor.version,
    historyBars: s.history.length,
    openPanes: s.windows.panes.length,
    openCandles: s.candles.open.length,
    counters: { ...s.counters },
  };
}
