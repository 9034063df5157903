import { TRADE_COLUMNS, type Trade } from "../contracts/trade.js";
import type { Queryable } from "./database.js";

/** The contract's columns the raw `trades` table keeps (it has no decimal strings). */
const KEPT = TRADE_COLUMNS.flatMap((c) => (c.sql ? [{ field: c.field, ...c.sql }] : []));

const SQL =
  `INSERT INTO trades (${KEPT.map((c) => c.name).join(", ")}) ` +
  `SELECT * FROM unnest(${KEPT.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ")}) ` +
  "ON CONFLICT (source, symbol, trade_id) DO NOTHING";

const CHUNK = 5000;

/** Loads trades into the raw `trades` table (backfills, imports). A trade already there is kept: trade ids are immutable. Returns rows inserted. */
export async function insertTrades(q: Queryable, trades: readonly Trade[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < trades.length; i += CHUNK) {
    const c = trades.slice(i, i + CHUNK);
    const r = await q.query(SQL, KEPT.map((k) => c.map((t) => t[k.field])));
    inserted += r.rowCount;
  }
  return inserted;
}
