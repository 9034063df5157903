/** Clean real data for the quality gate: the recorded BTCUSDT and XRP/ETH trades, and the silver bars the SymbolActor makes of them. */
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import type { SilverTableRow } from "../../src/lake/tables/silver-bars.js";
import { LakeWriter, bronzeTradesDefinition, bronzeTradesMapping, silverBarsDefinition, silverBarsMapping, type Lake } from "../../src/lake/index.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades, tradesOfXrpEth } from "../market/fixtures.js";
import { silverTableRow } from "../../src/lake/tables/silver-bars.js";

export { btcTrades };

/** XRP/ETH aggregate trades as Trades, each ingested 5 to 11 ms after its trade. */
export function xrpEthTrades(): Trade[] {
  return tradesOfXrpEth((i) => 5 + (i % 7));
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

/** Writes the trades to the lake's bronze table and the bars to its silver table, one commit each at log sequence 1 (writer app ids `${appId}-bronze`, `${appId}-silver`). */
export async function writeBronzeAndSilver(lake: Lake, trades: Trade[], bars: SilverTableRow[], appId: string): Promise<void> {
  const bronze = new LakeWriter({ table: await lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: `${appId}-bronze` });
  bronze.add(trades, 1);
  await bronze.flush();
  const silver = new LakeWriter({ table: await lake.ensureTable(silverBarsDefinition), mapping: silverBarsMapping, appId: `${appId}-silver` });
  silver.add(bars, 1);
  await silver.flush();
}
