/**
 * One row of Binance's REST trade lists (`GET /api/v3/historicalTrades`, `/api/v3/trades`):
 * `{"id","price","qty","quoteQty","time","isBuyerMaker","isBestMatch"}`. The row carries no
 * symbol (the caller asked for one) and no event time (event time = trade time). It is checked
 * and converted by the WebSocket path's own `parseTrade`, so a backfilled trade equals the one the
 * socket would have delivered, field for field (ingest time aside).
 */
import type { Trade } from "./trade.js";
import { BINANCE_SOURCE, parseTrade, type InvalidReason } from "./binance.js";

export type RestTradeRow = { kind: "trade"; trade: Trade } | { kind: "invalid"; reason: InvalidReason };

export interface RestTradeContext {
  /** Upper-case symbol the rows were asked for, e.g. "BTCUSDT". */
  symbol: string;
  ingestTime: number;
  source?: string;
}

/** WebSocket field → REST field, to name the REST field in a rejection. */
const REST_FIELD: Record<string, string> = { t: "id", p: "price", q: "qty", T: "time", E: "time", m: "isBuyerMaker" };

export function parseBinanceRestTrade(row: unknown, ctx: RestTradeContext): RestTradeRow {
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    return { kind: "invalid", reason: { code: "not-object", message: "trade row is not a JSON object" } };
  }
  const r = row as Record<string, unknown>;
  const event = { e: "trade", E: r["time"], s: ctx.symbol, t: r["id"], p: r["price"], q: r["qty"], T: r["time"], m: r["isBuyerMaker"] };
  const parsed = parseTrade(event, null, ctx.ingestTime);
  if (parsed.kind === "trade") {
    return { kind: "trade", trade: ctx.source === undefined || ctx.source === BINANCE_SOURCE ? parsed.trade : { ...parsed.trade, source: ctx.source } };
  }
  if (parsed.kind !== "invalid") throw new Error(`parseTrade returned ${parsed.kind}`);
  const { field } = parsed.reason;
  const restField = field === undefined ? undefined : (REST_FIELD[field] ?? field);
  const message = restField === undefined ? parsed.reason.message : `${parsed.reason.message} (REST field "${restField}")`;
  return { kind: "invalid", reason: restField === undefined ? { code: parsed.reason.code, message } : { code: parsed.reason.code, message, field: restField } };
}
