/** The freqtrade XRP/ETH fixture (data README §2b): Binance aggTrades and Binance's own 1m candles. */
import { readFileSync } from "node:fs";
import type { Trade } from "../../src/market/trade.js";
import { sharedData } from "../helpers/shared-data.js";
import { tradesOfXrpEth } from "../market/fixtures.js";

const DIR = sharedData("binance-recorded");
export const XRPETH = "XRPETH";

/** One Trade per aggTrade (trade id = aggregate id, which is contiguous), ingested at its trade time. */
export function loadFreqtradeTrades(): Trade[] {
  return tradesOfXrpEth();
}

export type Kline = [openTime: number, open: number, high: number, low: number, close: number, volume: number];

export function loadFreqtrade1m(): Kline[] {
  return JSON.parse(readFileSync(`${DIR}/freqtrade-XRP_ETH-1m.json`, "utf8")) as Kline[];
}
