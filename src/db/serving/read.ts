import type { Queryable } from "../database.js";
import type { Candle1mRow } from "../../contracts/candle.js";
import type { SilverBarRow } from "../../contracts/silver-bar.js";
import { CANDLES_1M, SILVER_BARS, type TableSpec } from "./upsert.js";

export interface RangeQuery {
  /** Inclusive lower bound on the key time (window end / open time), ms. */
  from?: number;
  /** Exclusive upper bound, ms. */
  to?: number;
  /** Newest rows first when limited; results are always returned oldest first. Default 1000. */
  limit?: number;
}

function selectList<R>(spec: TableSpec<R>): string {
  return spec.columns.map((c) => `${c.sql} AS "${c.field}"`).join(", ");
}

async function readRange<R>(q: Queryable, spec: TableSpec<R>, timeColumn: string, symbol: string, range: RangeQuery): Promise<R[]> {
  const timeField = spec.columns.find((c) => c.sql === timeColumn)!.field;
  const sql =
    `SELECT * FROM (SELECT ${selectList(spec)} FROM ${spec.table} WHERE symbol = $1 AND ${timeColumn} >= $2 AND ${timeColumn} < $3 ` +
    `ORDER BY ${timeColumn} DESC LIMIT $4) AS newest ORDER BY "${timeField}"`;
  const { rows } = await q.query<R & object>(sql, [symbol, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER, range.limit ?? 1000]);
  return rows;
}

/** Silver bars of one symbol (the dashboard's live view), oldest first. */
export function readSilverBars(q: Queryable, symbol: string, range: RangeQuery = {}): Promise<SilverBarRow[]> {
  return readRange(q, SILVER_BARS, "window_end", symbol, range);
}

/** Live 1m candles of one symbol, oldest first. */
export function readCandles1m(q: Queryable, symbol: string, range: RangeQuery = {}): Promise<Candle1mRow[]> {
  return readRange(q, CANDLES_1M, "open_time", symbol, range);
}
