/**
 * The Trade contract: one normalised trade, whatever its source (src/market/trade.ts declares the
 * type; market's pure logic computes with it).
 *
 * - `TRADE_COLUMNS` lists every field once with its place in each store: the key of its column in
 *   the log's trade batch (src/ingest/batch-codec.ts), its column in the lake's `bronze_trades`
 *   and its column in the database's raw `trades` table. The bronze table definition, the bronze
 *   columnar mapping, the batch decoder's checks and the `trades` insert are derived from it.
 * - `tradeSchema` checks one trade where one arrives whole and untrusted (the web live feed's tick
 *   picks its fields); `parseTrade` names the first bad field.
 * - `firstBadValue` checks one decoded batch column element by element. The log's batches are
 *   read on the hot path, so they are checked by this loop (about 12 µs per 1,000 trades) instead
 *   of by zod (about 390 µs, as long as JSON.parse itself).
 *
 * There is one shape of trade batch in the log (version 1); an older shape would get an upgrader
 * here, as the SilverBar has.
 *
 * Adding a field: the field in src/market/trade.ts and where a source fills it (src/market/binance.ts,
 * binance-csv.ts, src/custom), here (schema, one column entry), the batch codec's encode/decode
 * loops (a new batch version), and one migration if the `trades` table keeps it.
 */
import { z } from "zod";
import { MARKET_SYMBOL_PATTERN } from "../market/symbol.js";
import type { Trade } from "../market/trade.js";
import { firstIssue, InvalidContractMessage } from "./errors.js";

export type { Trade };

export class InvalidTradeMessage extends InvalidContractMessage {
  override readonly name = "InvalidTradeMessage";
}

/** How a column's values are checked and stored. */
export type TradeValueKind = "text" | "id" | "number" | "decimal" | "time" | "flag";

export interface TradeColumn {
  field: keyof Trade;
  kind: TradeValueKind;
  /**
   * Where a trade batch keeps it: the key of its per-trade column, "header" for what a batch's
   * trades share (a batch holds one source and symbol), "derived" for what decoding recomputes
   * (price and quantity from their exact decimal strings).
   */
  wire: string;
  /** The bronze lake column (never null): name and Delta type; "partition" for partition columns. */
  lake: { name: string; type: "string" | "long" | "double" | "timestamp" | "boolean"; partition: boolean };
  /** The raw `trades` table's column, null where that table does not keep the field. */
  sql: { name: string; type: "text" | "bigint" | "double precision" | "boolean" } | null;
}

/** Every field of Trade, in table order. */
export const TRADE_COLUMNS: readonly TradeColumn[] = [
  { field: "source", kind: "text", wire: "header", lake: { name: "source", type: "string", partition: true }, sql: { name: "source", type: "text" } },
  { field: "symbol", kind: "text", wire: "header", lake: { name: "symbol", type: "string", partition: true }, sql: { name: "symbol", type: "text" } },
  { field: "tradeId", kind: "id", wire: "id", lake: { name: "trade_id", type: "long", partition: false }, sql: { name: "trade_id", type: "bigint" } },
  { field: "price", kind: "number", wire: "derived", lake: { name: "price", type: "double", partition: false }, sql: { name: "price", type: "double precision" } },
  { field: "quantity", kind: "number", wire: "derived", lake: { name: "quantity", type: "double", partition: false }, sql: { name: "quantity", type: "double precision" } },
  // Binance's exact decimal strings beside the doubles: no rounding is ever lost in bronze.
  { field: "priceText", kind: "decimal", wire: "p", lake: { name: "price_text", type: "string", partition: false }, sql: null },
  { field: "quantityText", kind: "decimal", wire: "q", lake: { name: "quantity_text", type: "string", partition: false }, sql: null },
  { field: "tradeTime", kind: "time", wire: "T", lake: { name: "trade_time", type: "timestamp", partition: false }, sql: { name: "trade_time", type: "bigint" } },
  { field: "eventTime", kind: "time", wire: "E", lake: { name: "event_time", type: "timestamp", partition: false }, sql: { name: "event_time", type: "bigint" } },
  { field: "ingestTime", kind: "time", wire: "i", lake: { name: "ingest_time", type: "timestamp", partition: false }, sql: { name: "ingest_time", type: "bigint" } },
  { field: "buyerIsMaker", kind: "flag", wire: "m", lake: { name: "buyer_is_maker", type: "boolean", partition: false }, sql: { name: "buyer_is_maker", type: "boolean" } },
];

/** A non-negative decimal as text: Binance's "61837.63000000", or a custom source's "1e-7" or ".5". */
export const DECIMAL_TEXT = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const time = z.number().int().nonnegative();

/** One trade, every field checked. */
export const tradeSchema = z.object({
  source: z.string().min(1),
  symbol: z.string().regex(MARKET_SYMBOL_PATTERN, "an upper-case symbol (A-Z, 0-9, _)"),
  tradeId: z.number().int().nonnegative(),
  price: z.number().finite().positive(),
  quantity: z.number().finite().nonnegative(),
  priceText: z.string().regex(DECIMAL_TEXT, "a non-negative decimal string"),
  quantityText: z.string().regex(DECIMAL_TEXT, "a non-negative decimal string"),
  tradeTime: time,
  eventTime: time,
  ingestTime: time,
  buyerIsMaker: z.boolean(),
}) satisfies z.ZodType<Trade>;

/** A trade (parsed JSON) → the Trade; throws InvalidTradeMessage naming the first bad field. */
export function parseTrade(json: unknown): Trade {
  const parsed = tradeSchema.safeParse(json);
  if (!parsed.success) throw new InvalidTradeMessage(firstIssue(parsed.error));
  return parsed.data;
}

/** The columns a trade batch keeps one value per trade of, with their wire keys. */
export const TRADE_WIRE_COLUMNS: readonly TradeColumn[] = TRADE_COLUMNS.filter((c) => c.wire !== "header" && c.wire !== "derived");

const isValue: Record<TradeValueKind, (v: unknown) => boolean> = {
  text: (v) => typeof v === "string",
  // The decoder turns each into a number and refuses one that is not finite: a regular
  // expression per value here would cost as much again.
  decimal: (v) => typeof v === "string",
  id: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  time: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  number: (v) => typeof v === "number" && Number.isFinite(v),
  flag: (v) => v === 0 || v === 1,
};

/** The index of the first value of a batch column that is not a `kind` value, or -1. */
export function firstBadValue(kind: TradeValueKind, values: readonly unknown[]): number {
  const ok = isValue[kind];
  for (let k = 0; k < values.length; k++) if (!ok(values[k])) return k;
  return -1;
}

/** The bronze lake columns that are not partition columns, in table order. */
export const TRADE_LAKE_DATA_COLUMNS: readonly TradeColumn[] = TRADE_COLUMNS.filter((c) => !c.lake.partition);

/** Trades → one array per bronze data column, keyed by lake column name (typed arrays for longs and doubles). */
export function tradeLakeColumns(trades: readonly Trade[]): Map<string, ArrayLike<unknown>> {
  const n = trades.length;
  const out = new Map<string, ArrayLike<unknown>>();
  for (const c of TRADE_LAKE_DATA_COLUMNS) {
    const f = c.field;
    if (c.lake.type === "long") {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(trades[i]![f] as number);
      out.set(c.lake.name, a);
    } else if (c.lake.type === "double") {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = trades[i]![f] as number;
      out.set(c.lake.name, a);
    } else {
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = trades[i]![f];
      out.set(c.lake.name, a);
    }
  }
  return out;
}

const fromStored: Record<TradeValueKind, (v: unknown) => unknown> = {
  text: String,
  decimal: String,
  id: Number,
  time: Number,
  number: Number,
  flag: Boolean,
};

/** A bronze row read back from the lake (longs as bigint, timestamps as numbers or Dates) → a Trade. */
export function tradeFromLakeRow(row: Record<string, unknown>): Trade {
  const t: Record<string, unknown> = {};
  for (const c of TRADE_COLUMNS) t[c.field] = fromStored[c.kind](row[c.lake.name]);
  return t as unknown as Trade;
}
