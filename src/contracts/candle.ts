/**
 * The Candle contract: a closed tumbling OHLCV candle (src/market/candles.ts computes it).
 *
 * - The message the SymbolActor publishes on `candles.<SYMBOL>` is a market `Candle`;
 *   `candleSchema` checks it where it is read whole (the web live feed).
 * - `Candle1mRow` is a 1-minute candle as the serving table `candles_1m` stores it, and
 *   `CANDLE_1M_COLUMNS` lists its fields with their SQL columns (src/db/serving/upsert.ts derives
 *   its column list from it).
 * - `candle1mRowFromMessage` reads a candle message into that row: extra fields are ignored,
 *   `intervalMs` must be 60 000 (or absent) and the open time a whole minute.
 *
 * Adding a field: the field in market/candles.ts (computed there), here (schema, row, one column
 * entry) and one migration for the serving table.
 */
import { z } from "zod";
import type { Candle } from "../market/candles.js";
import { firstIssue, InvalidContractMessage } from "./errors.js";
import { num, ohlcvFields } from "./fields.js";

export class InvalidCandleMessage extends InvalidContractMessage {
  override readonly name = "InvalidCandleMessage";
}

/** The current Candle message, every field required. */
export const candleSchema = z.object({
  symbol: z.string(),
  intervalMs: num,
  openTime: num,
  endTime: num,
  ...ohlcvFields,
  quoteVolume: num,
  firstTradeId: num,
  lastTradeId: num,
  closedByIngestTime: num,
}) satisfies z.ZodType<Candle>;

/** A 1-minute candle as the serving table keeps it. Key (symbol, openTime). */
export type Candle1mRow = Pick<Candle, "symbol" | "openTime" | "open" | "high" | "low" | "close" | "volume" | "tradeCount" | "quoteVolume">;

type SqlType = "text" | "bigint" | "integer" | "double precision";

/** Every field of Candle1mRow with its `candles_1m` column, in table order. */
export const CANDLE_1M_COLUMNS: readonly { field: keyof Candle1mRow; sql: { name: string; type: SqlType } }[] = [
  { field: "symbol", sql: { name: "symbol", type: "text" } },
  { field: "openTime", sql: { name: "open_time", type: "bigint" } },
  { field: "open", sql: { name: "open", type: "double precision" } },
  { field: "high", sql: { name: "high", type: "double precision" } },
  { field: "low", sql: { name: "low", type: "double precision" } },
  { field: "close", sql: { name: "close", type: "double precision" } },
  { field: "volume", sql: { name: "volume", type: "double precision" } },
  { field: "tradeCount", sql: { name: "trade_count", type: "integer" } },
  { field: "quoteVolume", sql: { name: "quote_volume", type: "double precision" } },
];

const ms = z.number().int().nonnegative();

/** What the serving table needs of a candle message; unknown extra fields are ignored. */
const storedCandle1m = z.object({
  symbol: z.string().min(1),
  intervalMs: z.literal(60_000).optional(),
  openTime: ms.refine((t) => t % 60_000 === 0, "openTime must be a whole minute"),
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
  tradeCount: z.number().int().nonnegative(),
  quoteVolume: num,
});

/** A candle message → its 1-minute serving row (symbol upper-cased); throws InvalidCandleMessage naming the first bad field. */
export function candle1mRowFromMessage(json: unknown): Candle1mRow {
  const parsed = storedCandle1m.safeParse(json);
  if (!parsed.success) throw new InvalidCandleMessage(firstIssue(parsed.error));
  const { intervalMs: _interval, ...row } = parsed.data;
  return { ...row, symbol: row.symbol.toUpperCase() };
}
