/**
 * One CUSTOM log message → what to do with each of its records. Pure: the router applies the
 * decisions (publish trades, offer rows to table writers, dead-letter the rest).
 */
import type { Trade } from "../market/trade.js";
import { classifyRecord, type InvalidReason } from "./classify.js";
import { customTableName, parseIngestSubject } from "./names.js";
import { flattenRecord, type FlatValue } from "./schema.js";
import type { TimeBounds } from "../config/time-bounds.js";

/** A message may carry one record or an array of up to this many (trade ids are `seq × this + index`). */
export const MAX_RECORDS_PER_MESSAGE = 1000;

export type RouteDecision =
  | { kind: "trade"; trade: Trade; index: number }
  | { kind: "row"; table: string; source: string; dataType: string; eventTime: number | null; values: Map<string, FlatValue>; index: number }
  | { kind: "dead-letter"; reason: DeadLetterReason; message: string; field?: string; source: string; index: number; raw: string };

export type DeadLetterReason = "invalid_subject" | "invalid_encoding" | "invalid_json" | "too_many_records" | InvalidReason | "schema_conflict" | "quota_exceeded" | "rate_limited";

export interface RouteOptions {
  /** Default DEFAULT_TIME_BOUNDS, measured from the message's ingest time. */
  timeBounds?: TimeBounds;
}

export interface LogMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  /** The gateway's receive time (header `Ingest-Time`, at most the stream's timestamp), else the stream's timestamp (ms). */
  ingestTime: number;
}

const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export function routeMessage(m: LogMessage, options: RouteOptions = {}): RouteDecision[] {
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
  const at = where;
  // Invalid bytes would otherwise become U+FFFD silently: the stored text would not be what was sent.
  if (!isUtf8(m.data)) return [dead("invalid_encoding", "the message is not valid UTF-8 (raw shows it with U+FFFD replacements)")];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return [dead("invalid_json", `not JSON: ${(err as Error).message}`)];
  }
  const records = Array.isArray(body) ? body : [body];
  if (records.length > MAX_RECORDS_PER_MESSAGE) return [dead("too_many_records", `${records.length} records in one message; at most ${MAX_RECORDS_PER_MESSAGE}`)];
  return records.map((record, index): RouteDecision => {
    try {
      return routeRecord(record, index);
    } catch (err) {
      // Never a poison message: a record that breaks routing is refused, the rest go on.
      return dead("invalid_record", `the record could not be routed: ${(err as Error).message}`, rawOf(record), index);
    }
  });

  function routeRecord(record: unknown, index: number): RouteDecision {
    const c = classifyRecord(record, { source: at.source, subjectType: at.dataType, receivedAt: m.ingestTime, ...(options.timeBounds ? { timeBounds: options.timeBounds } : {}) });
    switch (c.kind) {
      case "invalid":
        return dead(c.reason, c.message, rawOf(record), index, c.field);
      case "market":
        return {
          kind: "trade",
          index,
          trade: {
            source: at.source,
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
        if (f.kind === "conflict") return dead("schema_conflict", f.message, rawOf(record), index, f.column);
        return { kind: "row", table: customTableName(at.source, c.dataType), source: at.source, dataType: c.dataType, eventTime: c.eventTime, values: f.values, index };
      }
    }
  }
}

function isUtf8(data: Uint8Array): boolean {
  try {
    strictDecoder.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** A record's JSON text for a dead letter; one too deep to serialise is described instead. */
function rawOf(record: unknown): string {
  try {
    return JSON.stringify(record) ?? String(record);
  } catch (err) {
    return `(not serialisable: ${(err as Error).message})`;
  }
}
