/** Loads the shared real recordings (read in place, never copied). */
import { seededRandom } from "../../src/runtime/random.js";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Trade } from "../../src/market/trade.js";
import { sharedData } from "../helpers/shared-data.js";

export const BTC_RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");
export const XRP_DIR = sharedData("binance-recorded");

/** Raw rows of the BTCUSDT recording, exactly as Binance sent them (received order). */
export interface RawBinanceTrade {
  e: string;
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: boolean;
}

export function btcFrames(): string[] {
  return readFileSync(BTC_RECORDING, "utf8").split("\n").filter((l) => l.length > 0);
}

export function btcRawTrades(): RawBinanceTrade[] {
  return btcFrames().map((l) => (JSON.parse(l) as { data: RawBinanceTrade }).data);
}

/** Trades built straight from the raw rows (not through the parser), ingest time = 1e6 + arrival index. */
export function btcTrades(): Trade[] {
  return btcRawTrades().map((r, i) => ({
    source: "binance",
    symbol: r.s,
    tradeId: r.t,
    price: Number(r.p),
    quantity: Number(r.q),
    priceText: r.p,
    quantityText: r.q,
    tradeTime: r.T,
    eventTime: r.E,
    ingestTime: 1_000_000 + i,
    buyerIsMaker: r.m,
  }));
}

export interface CcxtTrade {
  timestamp: number;
  price: number;
  amount: number;
  info: { a: number; p: string; q: string; T: number; m: boolean };
}

export function xrpTrades(): CcxtTrade[] {
  return JSON.parse(gunzipSync(readFileSync(`${XRP_DIR}/freqtrade-XRP_ETH-trades.json.gz`)).toString("utf8")) as CcxtTrade[];
}

/** The XRP/ETH aggregate trades as Trades (agg id as trade id: contiguous, like Binance trade ids); the i-th arrived `ingestDelayMs(i)` after its trade time. */
export function tradesOfXrpEth(ingestDelayMs: (index: number) => number = () => 0): Trade[] {
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
    ingestTime: t.info.T + ingestDelayMs(i),
    buyerIsMaker: t.info.m,
  }));
}

export type OhlcvRow = [number, number, number, number, number, number];
export function xrpCandles(interval: "1m" | "5m"): OhlcvRow[] {
  return JSON.parse(readFileSync(`${XRP_DIR}/freqtrade-XRP_ETH-${interval}.json`, "utf8")) as OhlcvRow[];
}

/** Exact decimal sum of decimal strings, as a decimal string (BigInt arithmetic, independent of src/). */
export function exactDecimalSum(texts: readonly string[]): string {
  let scale = 0;
  for (const t of texts) scale = Math.max(scale, (t.split(".")[1] ?? "").length);
  let total = 0n;
  for (const t of texts) {
    const [int = "0", frac = ""] = t.split(".");
    total += BigInt(int + frac.padEnd(scale, "0"));
  }
  const digits = total.toString().padStart(scale + 1, "0");
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Deterministic PRNG (mulberry32) for reproducible perturbations. */
export const rng = seededRandom;
