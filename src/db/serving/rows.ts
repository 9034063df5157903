/** Rows of the serving tables, in TypeScript's naming. Times are epoch milliseconds. */

/** A closed window (bar) with its features and the prediction made at its close. Table `silver_bars`, key (symbol, windowEnd). */
export interface SilverBarRow {
  symbol: string;
  windowStart: number;
  windowEnd: number;
  open: number;
  high: number;
  low: number;
  close: number;
  avgPrice: number;
  vwap: number;
  volume: number;
  tradeCount: number;
  volatility: number;
  lag1: number | null;
  lag3: number | null;
  ma5: number | null;
  ma10: number | null;
  momentum: number | null;
  volatilityChange: number | null;
  prediction: number | null;
  predictionModelVersion: string | null;
  closingIngestTime: number | null;
  emitTime: number | null;
}

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
