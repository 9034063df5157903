/** The freqtrade XRP/ETH fixture (data README §2b): Binance aggTrades and Binance's own 1m candles. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Trade } from "../../src/market/trade.js";
import { sharedData } from "../helpers/shared-data.js";

const DIR = sharedData("binance-recorded");
export const XRPETH = "XRPETH";

interface CcxtTrade {
  timestamp: number;
  price: number;
  amount: number;
  info: { a: number; p: string; q: string; T: number; m: boolean };
}

/** One Trade per aggTrade (trade id = aggregate id, which is contiguous). */
export function loadFreqtradeTrades(): Trade[] {
  const raw = JSON.parse(gunzipSync(readFileSync(`${DIR}/freqtrade-XRP_ETH-trades.json.gz`)).toString("utf8")) as CcxtTrade[];
  return raw.map((t) => ({
    source: "binance",
    symbol: XRPETH,
    tradeId: t.info.a,
    price: Number(t.info.p),
    quantity: Number(t.info.q),
    priceText: t.info.p,
    quantityText: t.info.q,
    tradeTime: t.info.T,
    eventTime: t.info.T,
    ingestTime: t.info.T,
    buyerIsMaker: t.info.m,
  }));
}

export type Kline = [openTime: number, open: number, high: number, low: number, close: number, volume: number];

export function loadFreqtrade1m(): Kline[] {
  return JSON.parse(readFileSync(`${DIR}/freqtrade-XRP_ETH-1m.json`, "utf8")) as Kline[];
}
