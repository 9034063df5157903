/**
 * Everything the live page shows for one symbol: history once (candles, bars), then pushes only
 * (ticks, bars$ and candles$ subscriptions; the WebSocket client resumes bars$ and candles$
 * from their last ids).
 */
import { useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { trpc, type BarView, type CandleView, type Tick } from "../trpc.js";
import { mergeBar, mergeCandle, type TradeCount } from "./state.js";


export interface RecentTrade {
  tradeId: number;
  price: number;
  quantity: number;
  tradeTime: number;
  /** Direction against the previous tick: 1 up, -1 down, 0 same. */
  side: 1 | -1 | 0;
}

export interface LiveMarket {
  loading: boolean;
  error: string | null;
  candles: CandleView[];
  bars: BarView[];
  lastTick: Tick | null;
  recent: RecentTrade[];
  tradeCounts: TradeCount[];
}

const EMPTY: LiveMarket = { loading: true, error: null, candles: [], bars: [], lastTick: null, recent: [], tradeCounts: [] };

function candleOfTick(t: Tick): CandleView | null {
  const c = t.candle;
  return c === null ? null : { symbol: c.symbol, openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, tradeCount: c.tradeCount };
}

export function useLiveMarket(symbol: string | null): LiveMarket {
  const [state, setState] = useState<LiveMarket>(EMPTY);

  useEffect(() => {
    setState(EMPTY);
    if (symbol === null) return;
    let live = true;
    Promise.all([trpc.market.candles.query({ symbol, limit: 240 }), trpc.market.bars.query({ symbol, limit: 120 })])
      .then(([candles, bars]) => {
        if (!live) return;
        // Pushes may have arrived first: merge history under them.
        setState((s) => ({
          ...s,
          loading: false,
          candles: s.candles.reduce((acc, c) => mergeCandle(acc, c), candles),
          bars: s.bars.reduce((acc, b) => mergeBar(acc, b), bars),
        }));
      })
      .catch((err: unknown) => live && setState((s) => ({ ...s, loading: false, error: `Could not load history: ${errorText(err)}` })));

    const ticks = trpc.market.ticks.subscribe(
      { symbol },
      {
        onData: ({ data: t }) =>
          setState((s) => {
            const prev = s.lastTick;
            const side = prev === null || t.price === prev.price ? 0 : t.price > prev.price ? 1 : -1;
            const candle = candleOfTick(t);
            return {
              ...s,
              error: null,
              lastTick: t,
              candles: candle === null ? s.candles : mergeCandle(s.candles, candle),
              recent: [{ tradeId: t.tradeId, price: t.price, quantity: t.quantity, tradeTime: t.tradeTime, side } as RecentTrade, ...s.recent].slice(0, 40),
              tradeCounts: [...s.tradeCounts.filter((c) => c.at > Date.now() - 15_000), { at: Date.now(), trades: t.tradesSinceLastTick }],
            };
          }),
        onError: (err) => setState((s) => ({ ...s, error: `Live ticks stopped: ${errorText(err)}` })),
      },
    );
    const bars = trpc.market.bars$.subscribe(
      { symbol },
      {
        onData: ({ data: b }) => setState((s) => ({ ...s, bars: mergeBar(s.bars, b) })),
        onError: (err) => setState((s) => ({ ...s, error: `Live bars stopped: ${errorText(err)}` })),
      },
    );
    // Closed candles carry the final values of the candle the ticks were building.
    const closed = trpc.market.candles$.subscribe(
      { symbol },
      {
        onData: ({ data: c }) => setState((s) => ({ ...s, candles: mergeCandle(s.candles, c) })),
        onError: (err) => setState((s) => ({ ...s, error: `Live candles stopped: ${errorText(err)}` })),
      },
    );
    return () => {
      live = false;
      ticks.unsubscribe();
      bars.unsubscribe();
      closed.unsubscribe();
    };
  }, [symbol]);

  return state;
}
