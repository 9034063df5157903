/**
 * Binance spot WebSocket frames → tagged results. Pure: the caller passes the receive time.
 * Accepts raw events (`/ws/<stream>`) and the combined envelope `{"stream","data"}`.
 * Both trade shapes parse: the current one and the pre-2024-06-18 one with `b`/`a` order ids
 * (those two fields are simply not read).
 */
import type { Trade } from "./trade.js";
import { parseUnsignedDecimal, toMillis } from "./decimal.js";

export type InvalidCode =
  | "not-json"
  | "not-object"
  | "bad-envelope"
  | "missing-field"
  | "bad-field"
  | "bad-price"
  | "bad-quantity"
  | "unknown-event"
  | "symbol-mismatch";

/** Why a frame was rejected: a machine code (for DLQ subjects and metrics) and a sentence. */
export interface InvalidReason {
  code: InvalidCode;
  message: string;
  /** The offending field, when there is one. */
  field?: string;
}

export type BinanceControl =
  /** Reply to SUBSCRIBE / UNSUBSCRIBE (`result: null`) or LIST_SUBSCRIPTIONS (`result: [...]`). */
  | { type: "response"; id: number | string | null; result: unknown }
  /** Error reply, e.g. `{"error":{"code":2,"msg":"Invalid request"},"id":1}`. */
  | { type: "error"; id: number | string | null; code: number | null; message: string }
  /** The server is about to close the connection: reconnect now. */
  | { type: "server-shutdown"; eventTime: number };

export type BinanceFrame =
  | { kind: "trade"; trade: Trade; stream: string | null }
  | { kind: "control"; control: BinanceControl; stream: string | null }
  | { kind: "ignored"; eventType: string; stream: string | null }
  | { kind: "invalid"; reason: InvalidReason; stream: string | null };

/** Market events we know and deliberately do not turn into trades. */
const KNOWN_NON_TRADE_EVENTS = new Set([
  "aggTrade",
  "kline",
  "depthUpdate",
  "24hrTicker",
  "24hrMiniTicker",
  "1hTicker",
  "4hTicker",
  "1dTicker",
  "avgPrice",
]);

export const BINANCE_SOURCE = "binance";

type Json = Record<string, unknown>;

function invalid(code: InvalidCode, message: string, stream: string | null, field?: string): BinanceFrame {
  return field === undefined
    ? { kind: "invalid", reason: { code, message }, stream }
    : { kind: "invalid", reason: { code, message, field }, stream };
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is number | string | null {
  return v === null || typeof v === "number" || typeof v === "string";
}

/**
 * Parses one text frame. `ingestTime` (ms) is stamped on trades as `ingestTime`.
 * Never throws: malformed input comes back as `{ kind: "invalid" }` so it can go to the DLQ.
 */
export function parseBinanceFrame(text: string, ingestTime: number): BinanceFrame {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return invalid("not-json", "frame is not valid JSON", null);
  }
  if (!isObject(root)) return invalid("not-object", "frame is not a JSON object", null);

  // Combined-stream envelope: unwrap, remembering the stream name for routing checks.
  const streamField = root["stream"];
  if (streamField !== undefined) {
    if (typeof streamField !== "string" || !("data" in root)) {
      return invalid("bad-envelope", 'combined envelope needs a string "stream" and a "data"', null);
    }
    return parseEvent(root["data"], streamField, ingestTime);
  }
  if ("result" in root || "error" in root) return parseResponse(root);
  return parseEvent(root, null, ingestTime);
}

function parseResponse(root: Json): BinanceFrame {
  const id = root["id"] ?? null;
  if (!isId(id)) return invalid("bad-field", '"id" must be a number, string or null', null, "id");
  const error = root["error"];
  if (error !== undefined) {
    const e = isObject(error) ? error : {};
    const code = typeof e["code"] === "number" ? e["code"] : null;
    const message = typeof e["msg"] === "string" ? e["msg"] : JSON.stringify(error);
    return { kind: "control", control: { type: "error", id, code, message }, stream: null };
  }
  return { kind: "control", control: { type: "response", id, result: root["result"] }, stream: null };
}

/** The event kind a stream name promises, for events that carry no `e` (bookTicker, partial depth). */
function streamEventType(stream: string): string | null {
  const at = stream.indexOf("@");
  if (at < 0) return null;
  const kind = stream.slice(at + 1);
  if (kind === "bookTicker") return "bookTicker";
  if (kind.startsWith("depth")) return "depth";
  return null;
}

function parseEvent(data: unknown, stream: string | null, ingestTime: number): BinanceFrame {
  if (Array.isArray(data)) {
    // All-market streams (e.g. `!miniTicker@arr`) send arrays of events.
    const first: unknown = data[0];
    const e = isObject(first) && typeof first["e"] === "string" ? first["e"] : null;
    if (e !== null && KNOWN_NON_TRADE_EVENTS.has(e)) return { kind: "ignored", eventType: e, stream };
    return invalid("unknown-event", "array payload of unknown events", stream);
  }
  if (!isObject(data)) return invalid("not-object", "event payload is not a JSON object", stream);
  const e = data["e"];
  if (e === "trade") return parseTrade(data, stream, ingestTime);
  if (typeof e === "string") {
    if (KNOWN_NON_TRADE_EVENTS.has(e)) return checkedIgnored(data, e, stream);
    if (e === "serverShutdown") {
      const eventTime = data["E"];
      if (typeof eventTime !== "number") return invalid("missing-field", 'serverShutdown without numeric "E"', stream, "E");
      return { kind: "control", control: { type: "server-shutdown", eventTime: toMillis(eventTime) }, stream };
    }
    return invalid("unknown-event", `unknown event type "${e.slice(0, 40)}"`, stream, "e");
  }
  if (e !== undefined) return invalid("bad-field", '"e" must be a string', stream, "e");
  // Events without "e": bookTicker (u,s,b,B,a,A) and partial/REST depth snapshots.
  const byStream = stream === null ? null : streamEventType(stream);
  if (byStream !== null) return checkedIgnored(data, byStream, stream);
  if ("lastUpdateId" in data && "bids" in data) return { kind: "ignored", eventType: "depthSnapshot", stream };
  if ("u" in data && "b" in data && "a" in data && "B" in data && "A" in data) return checkedIgnored(data, "bookTicker", stream);
  return invalid("missing-field", 'event has no "e" (event type)', stream, "e");
}

function checkedIgnored(data: Json, eventType: string, stream: string | null): BinanceFrame {
  const mismatch = symbolMismatch(data["s"], stream);
  return mismatch ?? { kind: "ignored", eventType, stream };
}

/** A combined stream is named `<lowercase symbol>@<kind>`; the payload's `s` must agree with it. */
function symbolMismatch(symbol: unknown, stream: string | null): BinanceFrame | null {
  if (stream === null || typeof symbol !== "string") return null;
  const at = stream.indexOf("@");
  if (at <= 0 || stream.charCodeAt(0) === 33 /* "!" all-market */) return null;
  if (at === symbol.length && stream.slice(0, at) === symbol.toLowerCase()) return null;
  return invalid("symbol-mismatch", `symbol "${symbol.slice(0, 40)}" does not match stream "${stream.slice(0, 80)}"`, stream, "s");
}

/** One trade event object (`e` not checked): also how REST rows (binance-rest.ts) become trades. */
export function parseTrade(d: Json, stream: string | null, ingestTime: number): BinanceFrame {
  const s = d["s"];
  if (typeof s !== "string" || s.length === 0) {
    return s === undefined
      ? invalid("missing-field", 'trade without "s" (symbol)', stream, "s")
      : invalid("bad-field", '"s" (symbol) must be a non-empty string', stream, "s");
  }
  const mismatch = symbolMismatch(s, stream);
  if (mismatch !== null) return mismatch;

  const t = d["t"];
  if (typeof t !== "number" || !Number.isSafeInteger(t) || t < 0) {
    return t === undefined
      ? invalid("missing-field", 'trade without "t" (trade id)', stream, "t")
      : invalid("bad-field", '"t" (trade id) must be a non-negative integer', stream, "t");
  }
  const p = d["p"];
  if (typeof p !== "string") {
    return p === undefined
      ? invalid("missing-field", 'trade without "p" (price)', stream, "p")
      : invalid("bad-price", '"p" (price) must be a decimal string', stream, "p");
  }
  const price = parseUnsignedDecimal(p);
  if (!(price > 0)) return invalid("bad-price", `price "${p.slice(0, 40)}" is not a positive finite decimal`, stream, "p");
  const q = d["q"];
  if (typeof q !== "string") {
    return q === undefined
      ? invalid("missing-field", 'trade without "q" (quantity)', stream, "q")
      : invalid("bad-quantity", '"q" (quantity) must be a decimal string', stream, "q");
  }
  const quantity = parseUnsignedDecimal(q);
  if (!(quantity > 0)) return invalid("bad-quantity", `quantity "${q.slice(0, 40)}" is not a positive finite decimal`, stream, "q");
  const T = d["T"];
  if (typeof T !== "number" || !Number.isSafeInteger(T) || T <= 0) {
    return T === undefined
      ? invalid("missing-field", 'trade without "T" (trade time)', stream, "T")
      : invalid("bad-field", '"T" (trade time) must be a positive integer', stream, "T");
  }
  const E = d["E"];
  if (typeof E !== "number" || !Number.isSafeInteger(E) || E <= 0) {
    return E === undefined
      ? invalid("missing-field", 'trade without "E" (event time)', stream, "E")
      : invalid("bad-field", '"E" (event time) must be a positive integer', stream, "E");
  }
  const m = d["m"];
  if (typeof m !== "boolean") {
    return m === undefined
      ? invalid("missing-field", 'trade without "m" (buyer is maker)', stream, "m")
      : invalid("bad-field", '"m" (buyer is maker) must be a boolean', stream, "m");
  }
  const trade: Trade = {
    source: BINANCE_SOURCE,
    symbol: s.toUpperCase(),
    tradeId: t,
    price,
    quantity,
    priceText: p,
    quantityText: q,
    tradeTime: toMillis(T),
    eventTime: toMillis(E),
    ingestTime,
    buyerIsMaker: m,
  };
  return { kind: "trade", trade, stream };
}
