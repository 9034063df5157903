import type { Trade } from "../market/trade.js";
import type { Queryable } from "./database.js";

const SQL =
  "INSERT INTO trades (source, symbol, trade_id, price, quantity, trade_time, event_time, ingest_time, buyer_is_maker) " +
  "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::double precision[], $5::double precision[], $6::bigint[], $7::bigint[], $8::bigint[], $9::boolean[]) " +
  "ON CONFLICT (source, symbol, trade_id) DO NOTHING";

const CHUNK = 5000;

/** Loads trades into the raw `trades` table (backfills, imports). A trade already there is kept: trade ids are immutable. Returns rows inserted. */
export async function insertTrades(q: Queryable, trades: readonly Trade[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < trades.length; i += CHUNK) {
    const c = trades.slice(i, i + CHUNK);
    const r = await q.query(SQL, [
      c.map((t) => t.source),
      c.map((t) => t.symbol),
      c.map((t) => t.tradeId),
      c.map((t) => t.price),
      c.map((t) => t.quantity),
      c.map((t) => t.tradeTime),
      c.map((t) => t.eventTime),
      c.map((t) => t.ingestTime),
      c.map((t) => t.buyerIsMaker),
    ]);
    inserted += r.rowCount;
  }
  return inserted;
}
