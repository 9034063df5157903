/**
 * One CUSTOM log message → what to do with each of its records. Pure: the router applies the
 * decisions (publish trades, offer rows to table writers, dead-letter the rest).
 */
import type { Trade } from "../market/trade.js";
import { classifyRecord } from "./classify.js";
import { customTableName, parseIngestSubject } from "./names.js";
import { flattenRecord, type FlatValue } from "./schema.js";

/** A message may carry one record or an array of up to this many (trade ids are `seq × this + index`). */
export const MAX_RECORDS_PER_MESSAGE = 1000;

export type RouteDecision =
  | { kind: "trade"; trade: Trade }
  | { kind: "row"; table: string; source: string; dataType: string; eventTime: number | null; values: Map<string, FlatValue>; index: number }
  | { kind: "dead-letter"; reason: DeadLetterReason; message: string; field?: string; source: string; index: number; raw: string };

export type DeadLetterReason = "invalid_subject" | "invalid_json" | "too_many_records" | "invalid_record" | "schema_conflict";

export interface LogMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  /** The gateway's receive time (header `Ingest-Time`), else the stream's timestamp (ms). */
  ingestTime: number;
}

const decoder = new TextDecoder();

export function routeMessage(m: LogMessage): RouteDecision[] {
  const text = decoder.decode(m.data);
  const where = parseIngestSubject(m.subject);
  const dead = (reason: DeadLetterReason, message: string, raw = text, index = -1, field?: string): RouteDecision => ({
    kind: "dead-letter",
    reason,
    message,
    source: where?.source ?? "unknown",
    index,
    raw,
    ...(field !== undefined ? { field } : {}),
  });
  if (where === undefined) return [dead("invalid_subject", `subject ${m.subject} is not ingest.<source>.<data_type> with tokens of [a-z0-9_]`)];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return [dead("invalid_json", `not JSON: ${(err as Error).message}`)];
  }
  const records = Array.isArray(body) ? body : [body];
  if (records.length > MAX_RECORDS_PER_MESSAGE) return [dead("too_many_records", `${records.length} records in one message; at most ${MAX_RECORDS_PER_MESSAGE}`)];
  return records.map((record, index): RouteDecision => {
    const c = classifyRecord(record, { source: where.source, subjectType: where.dataType });
    switch (c.kind) {
      case "invalid":
        return dead("invalid_record", c.message, JSON.stringify(record), index, c.field);
      case "market":
        return {
          kind: "trade",
          trade: {
            source: where.source,
            symbol: c.symbol,
            // The CUSTOM sequence orders every record, so ids grow per symbol and a replay of the
            // same message yields the same id (the trade publisher drops it as a duplicate).
            tradeId: m.seq * MAX_RECORDS_PER_MESSAGE + index,
            price: c.price,
            quantity: c.quantity,
            priceText: c.priceText,
            quantityText: c.quantityText,
            tradeTime: c.tradeTime,
            eventTime: c.tradeTime,
            ingestTime: m.ingestTime,
            buyerIsMaker: false, // custom sources report no aggressor side
          },
        };
      case "table": {
        const f = flattenRecord(c.fields);
        if (f.kind === "conflict") return dead("schema_conflict", f.message, JSON.stringify(record), index, f.column);
        return { kind: "row", table: customTableName(where.source, c.dataType), source: where.source, dataType: c.dataType, eventTime: c.eventTime, values: f.values, index };
      }
    }
  });
}
