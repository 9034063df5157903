/** Clean real data for the quality gate: the recorded BTCUSDT and XRP/ETH trades, and the silver bars the SymbolActor makes of them. */
import { createSymbolState, transition, type SilverBar } from "../../src/actors/symbol/index.js";
import type { SilverBarRow } from "../../src/lake/tables/silver-bars.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades, xrpTrades } from "../market/fixtures.js";

export { btcTrades };

/** XRP/ETH aggregate trades as Trades (agg id as trade id: contiguous, like Binance trade ids). */
export function xrpEthTrades(): Trade[] {
  return xrpTrades().map((t, i) => ({
    source: "binance",
    symbol: "XRPETH",
    tradeId: t.info.a,
    price: Number(t.info.p),
    quantity: Number(t.info.q),
    priceText: t.info.p,
    quantityText: t.info.q,
    tradeTime: t.info.T,
    eventTime: t.info.T,
    ingestTime: t.info.T + 5 + (i % 7),
    buyerIsMaker: t.info.m,
  }));
}

export function silverRow(b: SilverBar, logSeq: number): SilverBarRow {
  const f = b.features;
  return {
    symbol: b.symbol,
    windowStart: b.windowStart,
    windowEnd: b.windowEnd,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    avgPrice: b.avgPrice,
    vwap: b.vwap,
    volume: b.volume,
    tradeCount: b.tradeCount,
    volatility: b.volatility,
    lag1: f?.lag_1 ?? null,
    lag3: f?.lag_3 ?? null,
    ma5: f?.ma_5 ?? null,
    ma10: f?.ma_10 ?? null,
    momentum: f?.momentum ?? null,
    volatilityChange: f?.volatility_change ?? null,
    prediction: b.prediction,
    predictionModelVersion: b.modelVersion,
    closingTradeIngestTime: b.closedByIngestTime,
    emitTime: b.emittedAt,
    logSeq,
  };
}

/** The silver bars the SymbolActor's own transition produces from the trades (30 s windows, 10 s slide). */
export function silverBarsOf(symbol: string, trades: readonly Trade[]): SilverBarRow[] {
  const state = createSymbolState(symbol);
  const out: SilverBarRow[] = [];
  let seq = 0;
  for (let i = 0; i < trades.length; i += 500) {
    const batch = trades.slice(i, i + 500);
    const last = batch[batch.length - 1]!;
    const { effects } = transition(state, { type: "trades", seq: ++seq, trades: batch }, last.ingestTime);
    for (const e of effects) if (e.type === "publish-bar") out.push(silverRow(e.bar, seq));
  }
  return out;
}
