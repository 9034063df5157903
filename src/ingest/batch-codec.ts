/**
 * The trade log entry: one JetStream message holds a batch of trades of ONE (source, symbol), in
 * trade-id order, stored column by column so a batch of 1000 trades is one JSON.parse, not 1000.
 *
 * {"v":1,"source":"binance","symbol":"BTCUSDT","firstId":10,"lastId":12,
 *  "id":[10,11,12],            trade ids (ascending, usually consecutive)
 *  "p":["61837.63000000",...], price strings exactly as Binance sent them
 *  "q":["0.02000000",...],     quantity strings
 *  "T":[...],                  trade time, ms
 *  "E":[...],                  event time, ms
 *  "i":[...],                  ingest time, ms (when our client received the frame)
 *  "m":[1,0,...]}              buyer is maker (1/0)
 *
 * A log mark (punctuation) carries no trades: it moves the symbol's event time on, in log order,
 * so a replay of the log closes the same windows at the same place as the live run did.
 * {"v":1,"source":"binance","symbol":"BTCUSDT","lastId":12,"at":1700000031000,"watermark":1700000030000}
 *   "watermark": no trade of this symbol older than this event time is still coming (idle advance);
 *   "end": true instead: the end of the stream (a replay or an import finished): close everything.
 *   "lastId": the last trade id logged before the mark (high-water marks read it like a batch's);
 *   "at": the publisher's clock when it wrote the mark (the bars it closes record it as their
 *         closing ingest time).
 */
import { firstBadValue, TRADE_WIRE_COLUMNS, type Trade } from "../contracts/trade.js";
import { TradeBatchDecodeError } from "./errors.js";

export const TRADE_BATCH_VERSION = 1;

export interface TradeBatchHeader {
  source: string;
  symbol: string;
  /** For a mark: lastId + 1 (it holds no trade). */
  firstId: number;
  lastId: number;
  count: number;
}

/** A mark: event time moves on for one (source, symbol) without a trade. */
export type LogMark =
  | { source: string; symbol: string; lastId: number; at: number; watermark: number }
  | { source: string; symbol: string; lastId: number; at: number; end: true };

/** One TRADES entry: a batch (trades, no mark) or a mark (no trades). */
export interface TradeLogEntry {
  trades: Trade[];
  mark: LogMark | null;
}

interface WireMark {
  v: number;
  source: string;
  symbol: string;
  lastId: number;
  at: number;
  watermark?: number;
  end?: true;
}

interface WireBatch {
  v: number;
  source: string;
  symbol: string;
  firstId: number;
  lastId: number;
  id: number[];
  p: string[];
  q: string[];
  T: number[];
  E: number[];
  i: number[];
  m: number[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes trades of one (source, symbol), already in ascending id order. */
export function encodeTradeBatch(trades: readonly Trade[]): Uint8Array {
  const first = trades[0];
  if (first === undefined) throw new TradeBatchDecodeError("cannot encode an empty batch");
  const n = trades.length;
  const id = new Array<number>(n);
  const p = new Array<string>(n);
  const q = new Array<string>(n);
  const T = new Array<number>(n);
  const E = new Array<number>(n);
  const i = new Array<number>(n);
  const m = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const t = trades[k]!;
    id[k] = t.tradeId;
    p[k] = t.priceText;
    q[k] = t.quantityText;
    T[k] = t.tradeTime;
    E[k] = t.eventTime;
    i[k] = t.ingestTime;
    m[k] = t.buyerIsMaker ? 1 : 0;
  }
  const wire: WireBatch = { v: TRADE_BATCH_VERSION, source: first.source, symbol: first.symbol, firstId: first.tradeId, lastId: trades[n - 1]!.tradeId, id, p, q, T, E, i, m };
  return encoder.encode(JSON.stringify(wire));
}

/** Encodes a mark (see the file's doc). */
export function encodeLogMark(mark: LogMark): Uint8Array {
  if (!Number.isSafeInteger(mark.lastId) || !Number.isSafeInteger(mark.at)) throw new TradeBatchDecodeError("a mark needs a whole lastId and at");
  if ("watermark" in mark && !Number.isSafeInteger(mark.watermark)) throw new TradeBatchDecodeError(`watermark ${mark.watermark} is not a whole millisecond time`);
  return encoder.encode(JSON.stringify({ v: TRADE_BATCH_VERSION, ...mark } satisfies WireMark));
}

/** A TRADES message's JSON, parsed (either layout: partition-log.ts reads it too). */
export function parseTradeLogJson(data: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof data === "string" ? data : decoder.decode(data));
  } catch (cause) {
    throw new TradeBatchDecodeError("not JSON", { cause });
  }
}

function parseWire(data: Uint8Array | string): WireBatch | LogMark {
  return validWire(parseTradeLogJson(data));
}

function validWire(w: unknown): WireBatch | LogMark {
  if (typeof w !== "object" || w === null) throw new TradeBatchDecodeError("not an object");
  const b = w as Partial<WireBatch> & Partial<WireMark>;
  if (b.v !== TRADE_BATCH_VERSION) throw new TradeBatchDecodeError(`unknown version ${String(b.v)}`);
  if (typeof b.source !== "string" || typeof b.symbol !== "string") throw new TradeBatchDecodeError("source/symbol missing");
  if (b.id === undefined && (b.watermark !== undefined || b.end !== undefined)) return parseMark(b);
  if (typeof b.firstId !== "number" || typeof b.lastId !== "number") throw new TradeBatchDecodeError("firstId/lastId missing");
  const n = Array.isArray(b.id) ? b.id.length : -1;
  // The columns and the kind of their values come from the Trade contract.
  for (const { wire, kind, field } of TRADE_WIRE_COLUMNS) {
    const c = (b as Record<string, unknown>)[wire];
    if (!Array.isArray(c) || c.length !== n) throw new TradeBatchDecodeError(`column ${wire} missing or of the wrong length`);
    const bad = firstBadValue(kind, c);
    if (bad >= 0) throw new TradeBatchDecodeError(`column ${wire} (${field}) holds ${JSON.stringify(c[bad])?.slice(0, 40)} at ${bad}: not a ${kind} value`);
  }
  if (n === 0) throw new TradeBatchDecodeError("empty batch");
  return b as WireBatch;
}

function parseMark(b: Partial<WireMark>): LogMark {
  const whole = (x: unknown): x is number => Number.isSafeInteger(x);
  if (!whole(b.lastId) || !whole(b.at)) throw new TradeBatchDecodeError("mark without a whole lastId and at");
  const head = { source: b.source!, symbol: b.symbol!, lastId: b.lastId, at: b.at };
  if (b.end !== undefined) {
    if (b.end !== true || b.watermark !== undefined) throw new TradeBatchDecodeError("an end mark holds end: true and no watermark");
    return { ...head, end: true };
  }
  if (!whole(b.watermark)) throw new TradeBatchDecodeError(`mark watermark ${JSON.stringify(b.watermark)?.slice(0, 40)} is not a whole millisecond time`);
  return { ...head, watermark: b.watermark };
}

const isMark = (w: WireBatch | LogMark): w is LogMark => !("id" in w);

/** The batch's identity without building Trade objects (used for high-water marks). */
export function decodeTradeBatchHeader(data: Uint8Array | string): TradeBatchHeader {
  const b = parseWire(data);
  if (isMark(b)) return { source: b.source, symbol: b.symbol, firstId: b.lastId + 1, lastId: b.lastId, count: 0 };
  return { source: b.source, symbol: b.symbol, firstId: b.firstId, lastId: b.lastId, count: b.id.length };
}

/** Every trade of a batch, in order (none for a mark). Prices and quantities are re-derived from the exact strings. */
export function decodeTradeBatch(data: Uint8Array | string): Trade[] {
  return decodeTradeLogEntry(data).trades;
}

const NO_TRADES: Trade[] = [];
Object.freeze(NO_TRADES);

/** A TRADES entry: its trades, or its mark. */
export function decodeTradeLogEntry(data: Uint8Array | string): TradeLogEntry {
  return tradeLogEntryOfWire(parseTradeLogJson(data));
}

/** A TRADES entry already parsed from JSON (one entry of a partition message): its trades, or its mark. */
export function tradeLogEntryOfWire(parsed: unknown): TradeLogEntry {
  const b = validWire(parsed);
  if (isMark(b)) return { trades: NO_TRADES, mark: b };
  return { trades: tradesOf(b), mark: null };
}

function tradesOf(b: WireBatch): Trade[] {
  const out = new Array<Trade>(b.id.length);
  for (let k = 0; k < b.id.length; k++) {
    const priceText = b.p[k]!;
    const quantityText = b.q[k]!;
    const price = Number(priceText);
    const quantity = Number(quantityText);
    if (!(price >= 0 && quantity >= 0 && price !== Infinity && quantity !== Infinity)) throw new TradeBatchDecodeError(`trade ${b.id[k]} has price "${priceText.slice(0, 40)}" and quantity "${quantityText.slice(0, 40)}": not non-negative finite decimals`);
    out[k] = {
      source: b.source,
      symbol: b.symbol,
      tradeId: b.id[k]!,
      price,
      quantity,
      priceText,
      quantityText,
      tradeTime: b.T[k]!,
      eventTime: b.E[k]!,
      ingestTime: b.i[k]!,
      buyerIsMaker: b.m[k] === 1,
    };
  }
  return out;
}

/** `Nats-Msg-Id` of a batch: `<source>:<symbol>:<firstId>-<lastId>`. */
export function batchMsgId(source: string, symbol: string, firstId: number, lastId: number): string {
  return `${source}:${symbol}:${firstId}-${lastId}`;
}

/** `Nats-Msg-Id` of a mark: `<source>:<symbol>:wm-<lastId>-<watermark>` or `…:end-<lastId>`. */
export function markMsgId(mark: LogMark): string {
  return "end" in mark ? `${mark.source}:${mark.symbol}:end-${mark.lastId}` : `${mark.source}:${mark.symbol}:wm-${mark.lastId}-${mark.watermark}`;
}
