/**
 * Idle watermarks: when a symbol has had no trade for a while, its event time moves on with the
 * clock, so its last windows close instead of waiting for a trade that may come in hours.
 *
 * The publisher decides, and writes the decision into the log as a mark (batch-codec.ts), so the
 * SymbolActor, a restored SymbolActor and `admin verify` all see it at the same place among the
 * trades: a replay of the log closes the same windows as the live run. Pure; the publisher's
 * timer calls it.
 */

export interface IdleMarkOptions {
  /** A symbol with no trade for this long (wall clock, ms) is idle. 0 turns idle marks off. */
  afterMs: number;
  /**
   * How far past the last trade time the marks go: once the watermark is this far on, every
   * window and candle holding that trade has closed, and further marks would change nothing
   * (the longest of window size and candle interval, plus the allowed lateness).
   */
  horizonMs: number;
  /**
   * The next watermark above `after` at which something holding a trade up to `lastTradeTime`
   * closes (a window's or candle's end plus the allowed lateness), or null when nothing is left
   * (see `idleClosePoints`). Given, a mark after the first one is logged only once it reaches such
   * a point (or the horizon): the marks in between would close nothing. At 10,000 symbols a quiet
   * symbol otherwise logs a mark every `afterMs` for a whole candle interval (30 for 60 s candles
   * at 2 s), more log messages than the trades. Absent: a mark every `afterMs`.
   */
  nextClose?: ((lastTradeTime: number, after: number) => number | null) | undefined;
}

export interface IdleClock {
  /** Largest trade time logged for the symbol. */
  lastTradeTime: number;
  /** When (wall clock) its last trade arrived. */
  lastArrival: number;
  /** The last watermark logged since that trade, or null. */
  markedUpTo: number | null;
}

/**
 * The watermark to log now, or null. Event time advances from the last trade time by the wall
 * time the symbol has been quiet; marks are at least `afterMs` apart, and stop at the horizon.
 */
export function idleWatermark(k: IdleClock, now: number, o: IdleMarkOptions): number | null {
  if (!(o.afterMs > 0)) return null;
  const quiet = now - k.lastArrival;
  if (quiet < o.afterMs) return null;
  const cap = k.lastTradeTime + Math.max(o.horizonMs, o.afterMs);
  const wm = Math.min(k.lastTradeTime + quiet, cap);
  if (k.markedUpTo === null) return wm;
  if (wm <= k.markedUpTo) return null;
  if (wm === cap) return wm;
  if (wm - k.markedUpTo < o.afterMs) return null;
  if (o.nextClose === undefined) return wm;
  const next = o.nextClose(k.lastTradeTime, k.markedUpTo);
  return next !== null && wm >= next ? wm : null;
}

/** Window and candle geometry, as the SymbolActor closes them (windows.ts, candles.ts). */
export interface CloseGeometry {
  windowSizeMs: number;
  windowSlideMs: number;
  candleIntervalMs: number;
  allowedLatenessMs: number;
}

/**
 * `nextClose` for these windows and candles. A mark at watermark `w` closes the windows and
 * candles ending at or before `w - allowedLatenessMs`. Those that can hold a trade up to time
 * `t`: windows ending at multiples of the slide up to `floor(t / slide) * slide + size` (the last
 * window holding `t`), candles ending at multiples of the interval up to the end of `t`'s candle.
 * Returns the smallest such end plus the lateness that is above `after`. Pure.
 */
export function idleClosePoints(g: CloseGeometry): (lastTradeTime: number, after: number) => number | null {
  const { windowSizeMs: size, windowSlideMs: slide, candleIntervalMs: interval, allowedLatenessMs: lateness } = g;
  /** The first multiple of `step` whose close (it + lateness) is above `after`, if not past `last`. */
  const firstEnd = (step: number, after: number, last: number): number | null => {
    const end = (Math.floor((after - lateness) / step) + 1) * step;
    return end <= last ? end + lateness : null;
  };
  return (t, after) => {
    const window = firstEnd(slide, after, Math.floor(t / slide) * slide + size);
    const candle = firstEnd(interval, after, (Math.floor(t / interval) + 1) * interval);
    if (window === null) return candle;
    return candle === null ? window : Math.min(window, candle);
  };
}

/** The horizon for these window and candle settings. */
export function idleHorizonMs(o: { windowSizeMs: number; candleIntervalMs: number; allowedLatenessMs: number }): number {
  return Math.max(o.windowSizeMs, o.candleIntervalMs) + o.allowedLatenessMs;
}
