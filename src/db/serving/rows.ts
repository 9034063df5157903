/** Rows of the serving tables, in TypeScript's naming. Times are epoch milliseconds. The rows are the contracts' (src/contracts). */
import type { SilverBarRow } from "../../contracts/silver-bar.js";
import type { Candle1mRow } from "../../contracts/candle.js";

/** What the serving writer takes in one go; either list may be empty. */
export interface ServingBatch {
  bars: SilverBarRow[];
  candles: Candle1mRow[];
}

export function batchSize(batch: ServingBatch): number {
  return batch.bars.length + batch.candles.length;
}
