import type { Queryable } from "../database.js";
import type { ServingBatch } from "./rows.js";
import { CANDLE_1M_COLUMNS, type Candle1mRow } from "../../contracts/candle.js";
import { SILVER_BAR_COLUMNS, type SilverBarRow } from "../../contracts/silver-bar.js";

/** One column: the row field, the SQL column and its array type for `unnest`. */
interface Column<R> {
  field: keyof R & string;
  sql: string;
  type: "text" | "bigint" | "integer" | "double precision";
}

export interface TableSpec<R> {
  table: string;
  columns: Column<R>[];
  key: (keyof R & string)[];
}

/** The serving table of the SilverBar contract: its columns are the contract's (src/contracts/silver-bar.ts). */
export const SILVER_BARS: TableSpec<SilverBarRow> = {
  table: "silver_bars",
  key: ["symbol", "windowEnd"],
  columns: SILVER_BAR_COLUMNS.map((c) => ({ field: c.field, sql: c.sql.name, type: c.sql.type })),
};

/** The serving table of 1-minute candles: its columns are the Candle contract's (src/contracts/candle.ts). */
export const CANDLES_1M: TableSpec<Candle1mRow> = {
  table: "candles_1m",
  key: ["symbol", "openTime"],
  columns: CANDLE_1M_COLUMNS.map((c) => ({ field: c.field, sql: c.sql.name, type: c.sql.type })),
};

/** Rows per statement: bounds the size of one message to the server. */
const CHUNK = 5000;

/**
 * `INSERT ... SELECT FROM unnest($1::type[], ...) ON CONFLICT (key) DO UPDATE`: one statement
 * text for any batch size (so the server can reuse its plan), every column an array parameter.
 */
export function upsertSql<R>(spec: TableSpec<R>): string {
  const cols = spec.columns.map((c) => c.sql);
  const keyCols = spec.key.map((k) => spec.columns.find((c) => c.field === k)!.sql);
  const arrays = spec.columns.map((c, i) => `$${i + 1}::${c.type}[]`);
  const updates = cols.filter((c) => !keyCols.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  return (
    `INSERT INTO ${spec.table} (${cols.join(", ")}) SELECT * FROM unnest(${arrays.join(", ")}) ` +
    `ON CONFLICT (${keyCols.join(", ")}) DO UPDATE SET ${[...updates, "written_at = now()"].join(", ")}`
  );
}

/** Keeps the last row per key, in first-seen order: one statement may not update a row twice, and a replayed message inside a batch is a duplicate. */
export function dedupeByKey<R>(rows: readonly R[], key: readonly (keyof R)[]): R[] {
  const byKey = new Map<string, R>();
  for (const row of rows) byKey.set(key.map((k) => String(row[k])).join("\u0000"), row);
  return [...byKey.values()];
}

export async function upsertRows<R>(q: Queryable, spec: TableSpec<R>, rows: readonly R[]): Promise<number> {
  const unique = dedupeByKey(rows, spec.key);
  const sql = upsertSql(spec);
  let written = 0;
  for (let start = 0; start < unique.length; start += CHUNK) {
    const chunk = unique.slice(start, start + CHUNK);
    const params = spec.columns.map((c) => chunk.map((r) => (r[c.field] ?? null) as unknown));
    written += (await q.query(sql, params)).rowCount;
  }
  return written;
}

export function upsertSilverBars(q: Queryable, rows: readonly SilverBarRow[]): Promise<number> {
  return upsertRows(q, SILVER_BARS, rows);
}

export function upsertCandles1m(q: Queryable, rows: readonly Candle1mRow[]): Promise<number> {
  return upsertRows(q, CANDLES_1M, rows);
}

/** Both tables in one transaction: a batch lands whole or not at all, so acking it afterwards is safe. */
export async function upsertServingBatch(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, batch: ServingBatch): Promise<number> {
  return db.transaction(async (tx) => (await upsertSilverBars(tx, batch.bars)) + (await upsertCandles1m(tx, batch.candles)));
}
