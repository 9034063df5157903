import { TRADE_COLUMNS, tradeLakeColumns, type Trade } from "../../contracts/trade.js";
import type { ColumnSpec } from "../delta/schema.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { TableDefinition } from "../table/table.js";
import type { RecordMapping } from "../writer/lake-writer.js";

export const BRONZE_TRADES_TABLE = "bronze_trades";
/** Delta `txn.appId` of the bronze writer: its txn version is the last TRADES sequence the table holds. */
export const BRONZE_TRADES_APP_ID = "bronze-trades:TRADES:lake-bronze";

/** The trade's columns from its contract, with the trade date (a partition column) after the symbol. */
const tradeColumns: ColumnSpec[] = TRADE_COLUMNS.map((c) => ({ name: c.lake.name, type: c.lake.type, nullable: false }));
const columns: ColumnSpec[] = [...tradeColumns.slice(0, 2), { name: "date", type: "string", nullable: false }, ...tradeColumns.slice(2)];

/** Raw trades, partitioned by source, symbol and trade date (UTC). */
export const bronzeTradesDefinition: TableDefinition = {
  name: BRONZE_TRADES_TABLE,
  description: "Every normalised trade as received (bronze layer)",
  columns,
  partitionColumns: ["source", "symbol", "date"],
};

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDate = "";

/** `YYYY-MM-DD` of a ms timestamp, in UTC. Called per row on the hot path: trades come in time order, so cache the last day. */
export function utcDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return cachedDate;
}

export const bronzeTradesMapping: RecordMapping<Trade> = {
  schema: bronzeTradesDefinition,
  partitionOf: (t) => ({ source: t.source, symbol: t.symbol, date: utcDate(t.tradeTime) }),
  toColumns: (trades): ColumnarBatch => ({ numRows: trades.length, columns: tradeLakeColumns(trades) }),
};
