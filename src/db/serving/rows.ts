/** Rows of the serving tables, in TypeScript's naming. Times are epoch milliseconds. The bar row is the SilverBar contract's (src/contracts/silver-bar.ts). */
import type { SilverBarRow } from "../../contracts/silver-bar.js";

/** A 1-minute candle from the live path. Table `candles_1m`, key (symbol, openTime). */
export interface Candle1mRow {
  symbol: string;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount: number;
  quoteVolume: number;
}

/** What the serving writer takes in one go; either list may be empty. */
export interface ServingBatch {
  bars: SilverBarRow[];
  candles: Candle1mRow[];
}

export function batchSize(batch: ServingBatch): number {
  return batch.bars.length + batch.candles.length;
}
