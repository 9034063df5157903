/** Clean real data for the quality gate: the recorded BTCUSDT and XRP/ETH trades, and the silver bars the SymbolActor makes of them. */
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import type { SilverTableRow } from "../../src/lake/tables/silver-bars.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades, xrpTrades } from "../market/fixtures.js";
import { silverTableRow } from "../../src/lake/tables/silver-bars.js";

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

/** A SilverBar as the lake's silver_bars table stores it: the lake writer's own mapping. */
export const silverRow = silverTableRow;

/** The silver bars the SymbolActor's own transition produces from the trades (30 s windows, 10 s slide). */
export function silverBarsOf(symbol: string, trades: readonly Trade[]): SilverTableRow[] {
  const state = createSymbolState(symbol);
  const out: SilverTableRow[] = [];
  let seq = 0;
  for (let i = 0; i < trades.length; i += 500) {
    const batch = trades.slice(i, i + 500);
    const last = batch[batch.length - 1]!;
    const { effects } = transition(state, { type: "trades", seq: ++seq, trades: batch }, last.ingestTime);
    for (const e of effects) if (e.type === "publish-bar") out.push(silverRow(e.bar, seq));
  }
  return out;
}
