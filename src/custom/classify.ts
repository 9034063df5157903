/**
 * What one custom record is, decided once and the same way by the HTTP gateway (to answer 400)
 * and by the router (to route or dead-letter): market data for the market pipeline, a row for a
 * lake table, or invalid with the offending field. Pure.
 */
import { MARKET_TYPE, isMarketType, marketSymbol, normalizeDataType } from "./names.js";
import { DEFAULT_RECORD_LIMITS, recordLimitBreach, type RecordLimits } from "./record-limits.js";
import { DEFAULT_TIME_BOUNDS, type TimeBounds } from "../config/time-bounds.js";
import { timeOutOfBounds } from "./time-bounds.js";
import { DECIMAL_TEXT } from "../contracts/trade.js";

export const DEFAULT_QUANTITY = 1;
/** Data type of a record with no type and no recognisable shape. */
export const GENERIC_TYPE = "generic";

export type RecordClass =
  | { kind: "market"; dataType: string; symbol: string; price: number; priceText: string; quantity: number; quantityText: string; tradeTime: number }
  | { kind: "table"; dataType: string; eventTime: number | null; fields: Record<string, unknown> }
  | { kind: "invalid"; reason: InvalidReason; field: string; message: string };

/** Why a record is refused: the gateway's `error` and the router's dead-letter reason (`dlq.<reason>`). */
export type InvalidReason = "invalid_record" | "timestamp_out_of_range" | "record_too_large";

export interface ClassifyContext {
  /** Normalised source name (from the URL's API key or the subject). */
  source: string;
  /** The subject's data type token, used when the record names none. */
  subjectType?: string;
  /** When the platform received the record (ms): the gateway's receive time, the log's Ingest-Time. Without it only the floor of the time bounds applies. */
  receivedAt?: number;
  /** Default DEFAULT_TIME_BOUNDS (5 min into the future, nothing before 2000). */
  timeBounds?: TimeBounds;
  limits?: RecordLimits;
}

type Json = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const invalid = (field: string, message: string, reason: InvalidReason = "invalid_record"): RecordClass => ({ kind: "invalid", reason, field, message });

/** An envelope `{data_type, payload, timestamp?}` or a bare record; see README.md for the rules. */
export function classifyRecord(record: unknown, ctx: ClassifyContext): RecordClass {
  if (!isPlainObject(record)) return invalid("record", "a record must be a JSON object");
  let explicit: string | undefined;
  if (record.data_type !== undefined && record.data_type !== null) {
    if (typeof record.data_type !== "string") return invalid("data_type", "data_type must be a string");
    explicit = normalizeDataType(record.data_type);
    if (explicit === undefined) return invalid("data_type", "data_type must be 1-32 characters of a-z, 0-9 and _ (starting with a letter or digit)");
  }
  const dataTypeHint = explicit ?? ctx.subjectType;
  let body: Json;
  let outerTimestamp: unknown;
  if ("payload" in record) {
    const payload = record.payload;
    if (typeof payload === "string" && dataTypeHint === "logs") body = { message: payload };
    else if (isPlainObject(payload)) body = payload;
    else return invalid("payload", "payload must be a JSON object");
    outerTimestamp = record.timestamp;
  } else {
    body = { ...record };
    delete body.data_type;
  }
  const breach = recordLimitBreach(body, ctx.limits ?? DEFAULT_RECORD_LIMITS);
  if (breach) return invalid(breach.field, breach.message, "record_too_large");
  const dataType = dataTypeHint ?? typeByShape(body);
  const c = isMarketType(dataType) ? classifyMarket(body, outerTimestamp, ctx.source) : classifyTable(body, outerTimestamp, dataType);
  const eventTime = c.kind === "market" ? c.tradeTime : c.kind === "table" ? c.eventTime : null;
  const outOfBounds = eventTime === null ? undefined : timeOutOfBounds(eventTime, ctx.receivedAt, ctx.timeBounds ?? DEFAULT_TIME_BOUNDS);
  return outOfBounds ? invalid("timestamp", outOfBounds, "timestamp_out_of_range") : c;
}

function classifyTable(body: Json, outerTimestamp: unknown, dataType: string): RecordClass {
  const ts = body.timestamp ?? outerTimestamp;
  return { kind: "table", dataType, eventTime: ts === undefined ? null : (parseTimestamp(ts) ?? null), fields: body };
}

/** Shape rules for a record without a data type (the original's simple POST form is market data). */
export function typeByShape(body: Json): string {
  if ("symbol" in body || "price" in body) return MARKET_TYPE;
  if ("sensor_id" in body || "device_id" in body) return "iot";
  if ("level" in body && "message" in body) return "logs";
  return GENERIC_TYPE;
}

function classifyMarket(body: Json, outerTimestamp: unknown, source: string): RecordClass {
  if (body.symbol === undefined || body.symbol === null) return invalid("symbol", "symbol is required");
  if (typeof body.symbol !== "string") return invalid("symbol", "symbol must be a string");
  const symbol = marketSymbol(source, body.symbol);
  if (symbol === undefined) return invalid("symbol", "symbol must be 1-20 characters of A-Z and 0-9");
  if (body.price === undefined || body.price === null) return invalid("price", "price is required");
  const price = decimal(body.price);
  if (price === undefined || !(price.value > 0)) return invalid("price", "price must be a positive number (or a decimal string)");
  const rawTs = body.timestamp ?? outerTimestamp;
  if (rawTs === undefined || rawTs === null) return invalid("timestamp", "timestamp is required");
  const tradeTime = parseTimestamp(rawTs);
  if (tradeTime === undefined) return invalid("timestamp", "timestamp must be ms since epoch (seconds below 1e11) or an ISO-8601 string");
  let quantity = { value: DEFAULT_QUANTITY, text: String(DEFAULT_QUANTITY) };
  if (body.quantity !== undefined && body.quantity !== null) {
    const q = decimal(body.quantity);
    if (q === undefined || q.value < 0) return invalid("quantity", "quantity must be a non-negative number (or a decimal string)");
    quantity = q;
  }
  return { kind: "market", dataType: MARKET_TYPE, symbol, price: price.value, priceText: price.text, quantity: quantity.value, quantityText: quantity.text, tradeTime };
}


function decimal(v: unknown): { value: number; text: string } | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? { value: v, text: String(v) } : undefined;
  if (typeof v === "string" && DECIMAL_TEXT.test(v.trim())) {
    const value = Number(v.trim());
    return Number.isFinite(value) ? { value, text: v.trim() } : undefined;
  }
  return undefined;
}

/** Below this a numeric timestamp is taken as seconds (1e11 s is year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
const MAX_TIME_MS = 8.64e15;

/** ms since epoch from a number (ms, or seconds when small) or an ISO-8601 string. */
export function parseTimestamp(v: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof v === "number" && Number.isFinite(v)) ms = v < SECONDS_BELOW ? v * 1000 : v;
  else if (typeof v === "string" && v.trim() !== "") {
    const t = v.trim();
    ms = /^\d+(\.\d+)?$/.test(t) ? parseTimestamp(Number(t)) : Date.parse(t);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > MAX_TIME_MS) return undefined;
  return Math.floor(ms);
}
