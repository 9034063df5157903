/** Binance stream names and URLs. All symbols in stream names are lowercase (Binance rule). */

/** Binance allows at most this many streams on one connection. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

export function tradeStream(symbol: string): string {
  return `${symbol.toLowerCase()}@trade`;
}

/** "btcusdt@trade" → "BTCUSDT"; null for names that are not `<symbol>@trade`. */
export function symbolOfTradeStream(stream: string): string | null {
  const at = stream.indexOf("@");
  if (at <= 0 || stream.slice(at + 1) !== "trade") return null;
  return stream.slice(0, at).toUpperCase();
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk: size must be >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `<base>/stream?streams=a/b/c`; the base is e.g. wss://stream.binance.com:9443 or ws://127.0.0.1:<port>. */
export function combinedStreamUrl(baseUrl: string, streams: readonly string[]): string {
  const base = baseUrl.replace(/\/+$/, "");
  return `${base}/stream?streams=${streams.join("/")}`;
}
