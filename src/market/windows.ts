/**
 * Event-time sliding windows → bars. Pure state + transition; see README.md "Windows".
 *
 * Implementation: each trade lands in exactly one pane (a slide-long bucket, `floor(t / slide)`);
 * a window is the merge of its `size / slide` consecutive panes. So a trade costs one aggregate
 * update however many windows overlap it, and a closing window costs `size / slide` merges.
 *
 * The API is deterministic but, for speed, `addTrade` mutates and returns the state it was given;
 * snapshot with `snapshotWindows` before if you need the old value.
 */
import type { Trade } from "./trade.js";
import type { Bar } from "./bar.js";
import { addToAggregate, aggregateOf, cloneAggregate, mergeAggregates, type TradeAggregate } from "./aggregate.js";
import { quantitySumValue } from "./decimal.js";

export interface WindowOptions {
  /** Window length (ms). Default 30 000. Must be a multiple of slideMs. */
  sizeMs: number;
  /** Distance between window starts (ms); starts are epoch multiples of it. Default 10 000. */
  slideMs: number;
  /** How far behind the newest trade time the watermark trails (ms). Default 2 000. */
  allowedLatenessMs: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { sizeMs: 30_000, slideMs: 10_000, allowedLatenessMs: 2_000 };

export class WindowOptionsError extends Error {
  override name = "WindowOptionsError";
}

export interface Pane {
  /** floor(tradeTime / slideMs). */
  index: number;
  agg: TradeAggregate;
}

export interface WindowState {
  version: 1;
  symbol: string;
  options: WindowOptions;
  /** Largest trade time accepted so far; null before the first trade. */
  maxTradeTime: number | null;
  /** maxTradeTime − allowedLatenessMs, or further if `advanceWatermark` moved it; never decreases. */
  watermark: number | null;
  /** Panes still needed by an open window, ascending by index. */
  panes: Pane[];
  lateTrades: number;
  barsEmitted: number;
}

export interface AddTradeResult {
  state: WindowState;
  /** Bars closed by this call, in window-start order (often empty). */
  closedBars: Bar[];
  /** True when the trade was late: counted, not merged into any bar. */
  late: boolean;
}

const NO_BARS: Bar[] = [];
Object.freeze(NO_BARS);

export function validateWindowOptions(o: WindowOptions): WindowOptions {
  const { sizeMs, slideMs, allowedLatenessMs } = o;
  if (!Number.isSafeInteger(slideMs) || slideMs <= 0) throw new WindowOptionsError(`slideMs must be a positive integer (got ${slideMs})`);
  if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0 || sizeMs % slideMs !== 0) {
    throw new WindowOptionsError(`sizeMs must be a positive multiple of slideMs=${slideMs} (got ${sizeMs})`);
  }
  if (!Number.isSafeInteger(allowedLatenessMs) || allowedLatenessMs < 0) {
    throw new WindowOptionsError(`allowedLatenessMs must be a non-negative integer (got ${allowedLatenessMs})`);
  }
  return { sizeMs, slideMs, allowedLatenessMs };
}

export function createWindows(symbol: string, options: Partial<WindowOptions> = {}): WindowState {
  return {
    version: 1,
    symbol,
    options: validateWindowOptions({ ...DEFAULT_WINDOW_OPTIONS, ...options }),
    maxTradeTime: null,
    watermark: null,
    panes: [],
    lateTrades: 0,
    barsEmitted: 0,
  };
}

/** Index (in slides) of the earliest window not yet closed at watermark `wm`. */
function firstOpenWindow(o: WindowOptions, wm: number): number {
  return Math.floor((wm - o.sizeMs) / o.slideMs) + 1;
}

/**
 * A trade is late when the earliest window containing it (the one ending at its pane's end) has
 * already closed, i.e. paneEnd ≤ watermark. A late trade goes into no bar at all, so every trade
 * is in all of its windows or in none.
 */
export function isLate(state: WindowState, tradeTime: number): boolean {
  const wm = state.watermark;
  if (wm === null) return false;
  const slide = state.options.slideMs;
  return (Math.floor(tradeTime / slide) + 1) * slide <= wm;
}

export function addTrade(state: WindowState, trade: Trade): AddTradeResult {
  if (isLate(state, trade.tradeTime)) {
    state.lateTrades++;
    return { state, closedBars: NO_BARS, late: true };
  }
  insertIntoPane(state, trade);
  const t = trade.tradeTime;
  if (state.maxTradeTime === null || t > state.maxTradeTime) {
    state.maxTradeTime = t;
    const closedBars = closeUpTo(state, t - state.options.allowedLatenessMs, trade.ingestTime);
    return { state, closedBars, late: false };
  }
  return { state, closedBars: NO_BARS, late: false };
}

function insertIntoPane(state: WindowState, trade: Trade): void {
  const index = Math.floor(trade.tradeTime / state.options.slideMs);
  const panes = state.panes;
  // Trades mostly arrive in order, so the pane is usually the last one: search from the end.
  let i = panes.length - 1;
  while (i >= 0 && panes[i]!.index > index) i--;
  const pane = i >= 0 ? panes[i]! : undefined;
  if (pane !== undefined && pane.index === index) addToAggregate(pane.agg, trade);
  else panes.splice(i + 1, 0, { index, agg: aggregateOf(trade) });
}

/**
 * Moves the watermark forward to `wm` (no-op if not forward) and closes every window ending at or
 * before it. `ingestTime` is recorded on the bars as the arrival that closed them.
 */
export function advanceWatermark(state: WindowState, wm: number, ingestTime: number): Bar[] {
  return closeUpTo(state, wm, ingestTime);
}

/** Closes every window that holds a trade (end of input, e.g. a batch import). */
export function flushWindows(state: WindowState, ingestTime: number): Bar[] {
  const last = state.panes[state.panes.length - 1];
  if (last === undefined) return NO_BARS;
  return closeUpTo(state, last.index * state.options.slideMs + state.options.sizeMs, ingestTime);
}

function closeUpTo(state: WindowState, wm: number, ingestTime: number): Bar[] {
  const old = state.watermark;
  if (old !== null && wm <= old) return NO_BARS;
  state.watermark = wm;
  const o = state.options;
  const panesPerWindow = o.sizeMs / o.slideMs;
  const end = firstOpenWindow(o, wm);
  const panes = state.panes;
  if (panes.length === 0) return NO_BARS;
  let k = old === null ? panes[0]!.index - panesPerWindow + 1 : firstOpenWindow(o, old);
  if (k >= end) return NO_BARS;
  let bars: Bar[] | null = null;
  while (k < end) {
    while (panes.length > 0 && panes[0]!.index < k) panes.shift();
    const first = panes[0];
    if (first === undefined) break;
    // Skip runs of empty windows (a quiet symbol) in one step.
    if (first.index > k + panesPerWindow - 1) {
      k = first.index - panesPerWindow + 1;
      continue;
    }
    (bars ??= []).push(barOf(state, k, panesPerWindow, ingestTime));
    k++;
  }
  while (panes.length > 0 && panes[0]!.index < end) panes.shift();
  if (bars === null) return NO_BARS;
  state.barsEmitted += bars.length;
  return bars;
}

function barOf(state: WindowState, k: number, panesPerWindow: number, ingestTime: number): Bar {
  const panes = state.panes;
  let agg = panes[0]!.agg;
  for (let i = 1; i < panes.length && panes[i]!.index < k + panesPerWindow; i++) agg = mergeAggregates(agg, panes[i]!.agg);
  const volume = quantitySumValue(agg.volume);
  const windowStart = k * state.options.slideMs;
  return {
    symbol: state.symbol,
    windowStart,
    windowEnd: windowStart + state.options.sizeMs,
    open: agg.open,
    high: agg.high,
    low: agg.low,
    close: agg.close,
    avgPrice: agg.mean,
    vwap: volume > 0 ? agg.quote / volume : agg.mean,
    volume,
    tradeCount: agg.count,
    volatility: Math.sqrt(Math.max(0, agg.m2) / agg.count),
    firstTradeId: agg.minId,
    lastTradeId: agg.maxId,
    firstTradeTime: agg.minTime,
    lastTradeTime: agg.maxTime,
    closedByIngestTime: ingestTime,
  };
}

/** A deep, JSON-safe copy of the state. */
export function snapshotWindows(state: WindowState): WindowState {
  return { ...state, options: { ...state.options }, panes: state.panes.map((p) => ({ index: p.index, agg: cloneAggregate(p.agg) })) };
}

export class WindowSnapshotError extends Error {
  override name = "WindowSnapshotError";
}

/** Rebuilds a state from `snapshotWindows` output (possibly after JSON.stringify/parse). */
export function restoreWindows(snapshot: unknown): WindowState {
  const s = snapshot as Partial<WindowState> | null;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.symbol !== "string" || !Array.isArray(s.panes) || s.options === undefined) {
    throw new WindowSnapshotError("not a version-1 window snapshot");
  }
  return snapshotWindows({ ...(s as WindowState), options: validateWindowOptions(s.options) });
}
