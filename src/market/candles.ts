/**
 * Tumbling OHLCV candles of any interval (default 1 minute): bucket = floor(tradeTime / interval).
 * A candle is emitted once the watermark (max trade time − allowed lateness) reaches its end;
 * a trade whose candle was already emitted is late: counted, never merged.
 * Same conventions as windows.ts: pure, deterministic, `addTradeToCandles` mutates the given state.
 */
import type { Trade } from "./trade.js";
import { addToAggregate, aggregateOf, cloneAggregate, type TradeAggregate } from "./aggregate.js";
import { quantitySumValue } from "./decimal.js";

export interface Candle {
  symbol: string;
  intervalMs: number;
  /** Bucket start (inclusive) and end (exclusive), ms since epoch. */
  openTime: number;
  endTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Σ quantity (base asset), decimal-exact for ≤ 8-decimal quantities. */
  volume: number;
  /** Σ price × quantity (quote asset), float sum. */
  quoteVolume: number;
  tradeCount: number;
  firstTradeId: number;
  lastTradeId: number;
  /** Ingest time of the arrival that moved the watermark past endTime (or flushed it). */
  closedByIngestTime: number;
}

export interface CandleOptions {
  /** Default 60 000 (1 minute). */
  intervalMs: number;
  /** Default 2 000, like the windows. */
  allowedLatenessMs: number;
}

export const DEFAULT_CANDLE_OPTIONS: CandleOptions = { intervalMs: 60_000, allowedLatenessMs: 2_000 };

export class CandleOptionsError extends Error {
  override name = "CandleOptionsError";
}

export interface CandleState {
  version: 1;
  symbol: string;
  options: CandleOptions;
  maxTradeTime: number | null;
  watermark: number | null;
  /** Candles not yet emitted, ascending by bucket. */
  open: { bucket: number; agg: TradeAggregate }[];
  lateTrades: number;
  candlesEmitted: number;
}

const NO_CANDLES: Candle[] = [];
Object.freeze(NO_CANDLES);

function validate(o: CandleOptions): CandleOptions {
  if (!Number.isSafeInteger(o.intervalMs) || o.intervalMs <= 0) throw new CandleOptionsError(`intervalMs must be a positive integer (got ${o.intervalMs})`);
  if (!Number.isSafeInteger(o.allowedLatenessMs) || o.allowedLatenessMs < 0) {
    throw new CandleOptionsError(`allowedLatenessMs must be a non-negative integer (got ${o.allowedLatenessMs})`);
  }
  return { intervalMs: o.intervalMs, allowedLatenessMs: o.allowedLatenessMs };
}

export function createCandles(symbol: string, options: Partial<CandleOptions> = {}): CandleState {
  return {
    version: 1,
    symbol,
    options: validate({ ...DEFAULT_CANDLE_OPTIONS, ...options }),
    maxTradeTime: null,
    watermark: null,
    open: [],
    lateTrades: 0,
    candlesEmitted: 0,
  };
}

export interface AddToCandlesResult {
  state: CandleState;
  closedCandles: Candle[];
  late: boolean;
}

export function addTradeToCandles(state: CandleState, trade: Trade): AddToCandlesResult {
  const interval = state.options.intervalMs;
  const bucket = Math.floor(trade.tradeTime / interval);
  const wm = state.watermark;
  if (wm !== null && (bucket + 1) * interval <= wm) {
    state.lateTrades++;
    return { state, closedCandles: NO_CANDLES, late: true };
  }
  const open = state.open;
  let i = open.length - 1;
  while (i >= 0 && open[i]!.bucket > bucket) i--;
  const slot = i >= 0 ? open[i]! : undefined;
  if (slot !== undefined && slot.bucket === bucket) addToAggregate(slot.agg, trade);
  else open.splice(i + 1, 0, { bucket, agg: aggregateOf(trade) });
  if (state.maxTradeTime === null || trade.tradeTime > state.maxTradeTime) {
    state.maxTradeTime = trade.tradeTime;
    const closedCandles = advanceCandleWatermark(state, trade.tradeTime - state.options.allowedLatenessMs, trade.ingestTime);
    return { state, closedCandles, late: false };
  }
  return { state, closedCandles: NO_CANDLES, late: false };
}

/** Moves the watermark forward to `wm` and emits every candle ending at or before it. */
export function advanceCandleWatermark(state: CandleState, wm: number, ingestTime: number): Candle[] {
  if (state.watermark !== null && wm <= state.watermark) return NO_CANDLES;
  state.watermark = wm;
  const interval = state.options.intervalMs;
  let out: Candle[] | null = null;
  while (state.open.length > 0 && (state.open[0]!.bucket + 1) * interval <= wm) {
    const { bucket, agg } = state.open.shift()!;
    (out ??= []).push(candleOf(state, bucket, agg, ingestTime));
  }
  if (out === null) return NO_CANDLES;
  state.candlesEmitted += out.length;
  return out;
}

/** Emits every open candle (end of input). */
export function flushCandles(state: CandleState, ingestTime: number): Candle[] {
  const last = state.open[state.open.length - 1];
  if (last === undefined) return NO_CANDLES;
  return advanceCandleWatermark(state, (last.bucket + 1) * state.options.intervalMs, ingestTime);
}

/** The candle in progress for the newest bucket (for live charts), or null. */
export function currentCandle(state: CandleState, now: number): Candle | null {
  const last = state.open[state.open.length - 1];
  return last === undefined ? null : candleOf(state, last.bucket, last.agg, now);
}

function candleOf(state: CandleState, bucket: number, agg: TradeAggregate, ingestTime: number): Candle {
  const openTime = bucket * state.options.intervalMs;
  return {
    symbol: state.symbol,
    intervalMs: state.options.intervalMs,
    openTime,
    endTime: openTime + state.options.intervalMs,
    open: agg.open,
    high: agg.high,
    low: agg.low,
    close: agg.close,
    volume: quantitySumValue(agg.volume),
    quoteVolume: agg.quote,
    tradeCount: agg.count,
    firstTradeId: agg.minId,
    lastTradeId: agg.maxId,
    closedByIngestTime: ingestTime,
  };
}

export function snapshotCandles(state: CandleState): CandleState {
  return { ...state, options: { ...state.options }, open: state.open.map((o) => ({ bucket: o.bucket, agg: cloneAggregate(o.agg) })) };
}

export class CandleSnapshotError extends Error {
  override name = "CandleSnapshotError";
}

export function restoreCandles(snapshot: unknown): CandleState {
  const s = snapshot as Partial<CandleState> | null;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.symbol !== "string" || !Array.isArray(s.open) || s.options === undefined) {
    throw new CandleSnapshotError("not a version-1 candle snapshot");
  }
  return snapshotCandles({ ...(s as CandleState), options: validate(s.options) });
}
