/**
 * What a market symbol may look like anywhere in the platform (entity key, subject token, KV key,
 * table partition): Binance's `BTCUSDT`, or a custom source's `<SOURCE>_<INSTRUMENT>`.
 */
export const MARKET_SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9_]{1,63}$/;

export function isMarketSymbol(text: string): boolean {
  return MARKET_SYMBOL_PATTERN.test(text);
}
