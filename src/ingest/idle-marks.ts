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
  return wm === cap || wm - k.markedUpTo >= o.afterMs ? wm : null;
}

/** The horizon for these window and candle settings. */
export function idleHorizonMs(o: { windowSizeMs: number; candleIntervalMs: number; allowedLatenessMs: number }): number {
  return Math.max(o.windowSizeMs, o.candleIntervalMs) + o.allowedLatenessMs;
}
