import type { ColumnSpec } from "../delta/schema.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { TableDefinition } from "../table/table.js";
import type { RecordMapping } from "../writer/lake-writer.js";
import { utcDate } from "./bronze-trades.js";

export const SILVER_BARS_TABLE = "silver_bars";
/** Delta `txn.appId` of the silver writer: its txn version is the last SILVER sequence the table holds. */
export const SILVER_BARS_APP_ID = "silver-bars:SILVER:lake-silver";

/** One closed window with its features and prediction, as the silver table stores it. Times in ms. */
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
  volatility: number | null;
  lag1: number | null;
  lag3: number | null;
  ma5: number | null;
  ma10: number | null;
  momentum: number | null;
  volatilityChange: number | null;
  prediction: number | null;
  predictionModelVersion: string | null;
  closingTradeIngestTime: number | null;
  emitTime: number;
  logSeq: number;
}

/** Column name → field, in table order (symbol and date are partition columns). */
const FIELDS: [string, keyof SilverBarRow | null, ColumnSpec["type"], boolean][] = [
  ["symbol", "symbol", "string", false],
  ["date", null, "string", false],
  ["window_start", "windowStart", "timestamp", false],
  ["window_end", "windowEnd", "timestamp", false],
  ["open", "open", "double", false],
  ["high", "high", "double", false],
  ["low", "low", "double", false],
  ["close", "close", "double", false],
  ["avg_price", "avgPrice", "double", false],
  ["vwap", "vwap", "double", false],
  ["volume", "volume", "double", false],
  ["trade_count", "tradeCount", "long", false],
  ["volatility", "volatility", "double", true],
  ["lag_1", "lag1", "double", true],
  ["lag_3", "lag3", "double", true],
  ["ma_5", "ma5", "double", true],
  ["ma_10", "ma10", "double", true],
  ["momentum", "momentum", "double", true],
  ["volatility_change", "volatilityChange", "double", true],
  ["prediction", "prediction", "double", true],
  ["prediction_model_version", "predictionModelVersion", "string", true],
  ["closing_trade_ingest_time", "closingTradeIngestTime", "timestamp", true],
  ["emit_time", "emitTime", "timestamp", false],
  ["log_seq", "logSeq", "long", false],
];

/** Windowed bars with the 7 features and the live prediction, partitioned by symbol and window date. */
export const silverBarsDefinition: TableDefinition = {
  name: SILVER_BARS_TABLE,
  description: "Closed windows per symbol with features and prediction (silver layer)",
  columns: FIELDS.map(([name, , type, nullable]) => ({ name, type, nullable })),
  partitionColumns: ["symbol", "date"],
};

const DATA_FIELDS = FIELDS.filter(([name]) => name !== "symbol" && name !== "date");

export const silverBarsMapping: RecordMapping<SilverBarRow> = {
  schema: silverBarsDefinition,
  partitionOf: (b) => ({ symbol: b.symbol, date: utcDate(b.windowStart) }),
  toColumns(bars): ColumnarBatch {
    const columns = new Map<string, ArrayLike<unknown>>();
    for (const [name, field] of DATA_FIELDS) columns.set(name, bars.map((b) => b[field!]));
    return { numRows: bars.length, columns };
  },
};

export function silverBarFromRow(r: Record<string, unknown>): SilverBarRow {
  const out: Record<string, unknown> = {};
  for (const [name, field] of FIELDS) if (field) out[field] = r[name] ?? null;
  return out as unknown as SilverBarRow;
}
