/** One normalised trade, whatever its source. The log, the lake and the symbol actors all use it. */
export interface Trade {
  /** e.g. "binance", or a custom source's name. */
  source: string;
  /** Upper case, e.g. "BTCUSDT". */
  symbol: string;
  /** Consecutive per (source, symbol) on Binance; used for de-duplication and gap detection. */
  tradeId: number;
  price: number;
  quantity: number;
  /** Binance's exact decimal strings, kept for the lake. */
  priceText: string;
  quantityText: string;
  /** Trade time (event time of the trade), ms since epoch. */
  tradeTime: number;
  /** Binance's event time `E`, ms since epoch (equals tradeTime when the source has none). */
  eventTime: number;
  /** When our ingestor received it, ms since epoch (for latency analysis). */
  ingestTime: number;
  buyerIsMaker: boolean;
}

/**
 * Binance's trade ids are consecutive per symbol, so a jump means trades went missing. A custom
 * source's ids only increase (they are derived from its log position), so jumps mean nothing there.
 */
export function hasConsecutiveIds(source: string): boolean {
  return source === "binance";
}

/** Why the SymbolActor refuses a trade (it would corrupt windows), or null. `admin verify` replays with the same rule. */
export function tradeProblem(t: Trade): string | null {
  if (!Number.isSafeInteger(t.tradeId)) return "tradeId is not a safe integer";
  if (!(Number.isFinite(t.price) && t.price > 0)) return "price is not a positive finite number";
  if (!(Number.isFinite(t.quantity) && t.quantity >= 0)) return "quantity is not a non-negative finite number";
  if (!Number.isFinite(t.tradeTime)) return "tradeTime is not finite";
  return null;
}
