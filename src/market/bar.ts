/** A closed event-time window of one symbol's trades. All prices in quote currency. */
export interface Bar {
  symbol: string;
  /** Inclusive start, exclusive end, ms since epoch; start is a multiple of the slide. */
  windowStart: number;
  windowEnd: number;
  /** Price of the earliest trade by (trade time, trade id). */
  open: number;
  high: number;
  low: number;
  /** Price of the latest trade by (trade time, trade id): "the bar's price" for features. */
  close: number;
  /** Unweighted mean of trade prices (the original's "average price"). */
  avgPrice: number;
  /** Σ price·qty / Σ qty. */
  vwap: number;
  /** Σ quantity (decimal-exact for ≤ 8-decimal quantities). */
  volume: number;
  tradeCount: number;
  /** Population standard deviation of trade prices (divide by n, not n − 1). */
  volatility: number;
  /** Smallest and largest trade id in the window. */
  firstTradeId: number;
  lastTradeId: number;
  /** Earliest and latest trade time in the window. */
  firstTradeTime: number;
  lastTradeTime: number;
  /** Ingest time of the trade whose arrival moved the watermark past windowEnd. */
  closedByIngestTime: number;
}
