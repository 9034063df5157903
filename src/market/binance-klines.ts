/**
 * One line of a data.binance.vision spot `klines` CSV (`<SYMBOL>-<interval>-<date>.csv`):
 * `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`
 * (header optional; times in ms, or µs in spot files from 2025-01-01, floored to ms). Pure. A kline
 * becomes a record of the custom source `binance`, data type `klines`: the lake keeps the
 * exchange's own candles beside the ones the platform computes from trades.
 */
import { toMillis } from "./decimal.js";

export type KlineRecord = {
  timestamp: number;
  symbol: string;
  interval_ms: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  close_time: number;
  quote_volume: number;
  trades: number;
  taker_buy_volume: number;
  taker_buy_quote_volume: number;
};

export type CsvKlineLine = { kind: "kline"; record: KlineRecord } | { kind: "skip" } | { kind: "invalid"; message: string };

const DECIMAL = /^\d+(\.\d+)?$/;
const NAMES = ["open", "high", "low", "close", "volume", null, "quote_volume", null, "taker_buy_volume", "taker_buy_quote_volume"] as const;

/** `BTCUSDT-1m-2024-08-08.csv` → { symbol: "BTCUSDT", interval: "1m" }, else null. */
export function klinesFileName(name: string): { symbol: string; interval: string } | null {
  const m = /^([A-Za-z0-9]+)-(\d+[smhdwM])-\d{4}-\d{2}(-\d{2})?\.(csv|zip|csv\.gz)$/.exec(name.replace(/^.*[\\/]/, ""));
  return m ? { symbol: m[1]!.toUpperCase(), interval: m[2]! } : null;
}

export function parseBinanceKlinesCsvLine(line: string, symbol: string): CsvKlineLine {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.trim() === "" || text.startsWith("open_time")) return { kind: "skip" };
  const cols = text.split(",");
  if (cols.length < 11 || cols.length > 12) return { kind: "invalid", message: `expected 12 columns (open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore), got ${cols.length}` };
  const openTime = Number(cols[0]);
  const closeTime = Number(cols[6]);
  if (!Number.isSafeInteger(openTime) || openTime <= 0) return { kind: "invalid", message: `open_time "${cols[0]!.slice(0, 30)}" is not a positive integer` };
  if (!Number.isSafeInteger(closeTime) || closeTime < openTime) return { kind: "invalid", message: `close_time "${cols[6]!.slice(0, 30)}" is not an integer at or after open_time` };
  const count = Number(cols[8]);
  if (!Number.isSafeInteger(count) || count < 0) return { kind: "invalid", message: `count "${cols[8]!.slice(0, 30)}" is not a non-negative integer` };
  const values: Record<string, number> = {};
  for (let i = 1; i < NAMES.length + 1; i++) {
    const name = NAMES[i - 1];
    if (name === null || name === undefined) continue;
    const cell = cols[i]!;
    if (!DECIMAL.test(cell)) return { kind: "invalid", message: `${name} "${cell.slice(0, 30)}" is not a non-negative decimal` };
    values[name] = Number(cell);
  }
  const open = toMillis(openTime);
  const close = toMillis(closeTime);
  if (!(values.low! <= Math.min(values.open!, values.close!) && values.high! >= Math.max(values.open!, values.close!))) {
    return { kind: "invalid", message: `low ${cols[3]} and high ${cols[2]} do not bound open ${cols[1]} and close ${cols[4]}` };
  }
  return {
    kind: "kline",
    record: {
      timestamp: open,
      symbol,
      interval_ms: close + 1 - open,
      open: values.open!,
      high: values.high!,
      low: values.low!,
      close: values.close!,
      volume: values.volume!,
      close_time: close,
      quote_volume: values.quote_volume!,
      trades: count,
      taker_buy_volume: values.taker_buy_volume!,
      taker_buy_quote_volume: values.taker_buy_quote_volume!,
    },
  };
}
