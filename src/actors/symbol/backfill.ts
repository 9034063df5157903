/**
 * History older than what live processing has covered, through the SymbolActor's own pure
 * transition with a state of its own (the live actor's state is never touched): the same windows,
 * features, naive predictions and candles as live trades give. Only windows and candles that end
 * at or before `beforeMs` are emitted, so none of them overlaps a bar live processing made; a
 * watermark at the end closes exactly those.
 */
import type { Trade } from "../../market/trade.js";
import type { WindowOptions } from "../../market/windows.js";
import type { Candle } from "../../market/candles.js";
import type { SilverBar } from "../../contracts/silver-bar.js";
import { createSymbolState } from "./state.js";
import { transition } from "./transition.js";
import type { SymbolEffect } from "./messages.js";

export interface BackfillSink {
  bar(bar: SilverBar): void | Promise<void>;
  candle(candle: Candle): void | Promise<void>;
}

export interface BackfillCounts {
  /** Trades older than the boundary (those in the windows that straddle it go into none). */
  trades: number;
  bars: number;
  candles: number;
}

/**
 * `trades`: the history in id order (as a file has it); those at or after the boundary's aligned
 * start are skipped. `beforeMs`: the earliest time live processing covers (its first trade, or its
 * first bar's start); aligned down to a slide and to a candle interval so no emitted window or
 * candle reaches into live time. `now` stamps `emittedAt`.
 */
export async function backfillBars(trades: AsyncIterable<Trade>, o: { symbol: string; windows: Partial<WindowOptions>; candleIntervalMs?: number; beforeMs: number; now: () => number }, sink: BackfillSink): Promise<BackfillCounts> {
  const state = createSymbolState(o.symbol, { windows: o.windows, ...(o.candleIntervalMs !== undefined ? { candleIntervalMs: o.candleIntervalMs } : {}) });
  const { slideMs, allowedLatenessMs } = state.windows.options;
  const interval = state.candles.options.intervalMs;
  const barsEnd = Math.floor(o.beforeMs / slideMs) * slideMs;
  const candlesEnd = Math.floor(o.beforeMs / interval) * interval;
  const counts: BackfillCounts = { trades: 0, bars: 0, candles: 0 };
  const emit = async (effects: readonly SymbolEffect[]) => {
    for (const e of effects) {
      if (e.type === "publish-bar" && e.bar.windowEnd <= barsEnd) {
        counts.bars++;
        await sink.bar(e.bar);
      } else if (e.type === "publish-candle" && e.candle.openTime + interval <= candlesEnd) {
        counts.candles++;
        await sink.candle(e.candle);
      }
    }
  };
  let seq = 0;
  let batch: Trade[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await emit(transition(state, { type: "trades", seq: ++seq, trades: batch }, o.now()).effects);
    batch = [];
  };
  // A trade at or after barsEnd is in no window or candle that may be emitted (candlesEnd ≤ barsEnd).
  for await (const t of trades) {
    if (t.tradeTime >= o.beforeMs) continue;
    counts.trades++;
    if (t.tradeTime < barsEnd && batch.push(t) >= 1000) await flush();
  }
  await flush();
  // Event time to the boundary: every window ending by it closes (a trade there would close them).
  await emit(transition(state, { type: "trades", seq: ++seq, trades: [], mark: { at: o.now(), watermark: barsEnd + allowedLatenessMs } }, o.now()).effects);
  return counts;
}
