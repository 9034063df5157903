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
 */
import { firstBadValue, TRADE_WIRE_COLUMNS, type Trade } from "../contracts/trade.js";
import { TradeBatchDecodeError } from "./errors.js";

export const TRADE_BATCH_VERSION = 1;

export interface TradeBatchHeader {
  source: string;
  symbol: string;
  firstId: number;
  lastId: number;
  count: number;
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

function parseWire(data: Uint8Array | string): WireBatch {
  let w: unknown;
  try {
    w = JSON.parse(typeof data === "string" ? data : decoder.decode(data));
  } catch (cause) {
    throw new TradeBatchDecodeError("not JSON", { cause });
  }
  if (typeof w !== "object" || w === null) throw new TradeBatchDecodeError("not an object");
  const b = w as Partial<WireBatch>;
  if (b.v !== TRADE_BATCH_VERSION) throw new TradeBatchDecodeError(`unknown version ${String(b.v)}`);
  if (typeof b.source !== "string" || typeof b.symbol !== "string") throw new TradeBatchDecodeError("source/symbol missing");
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

/** The batch's identity without building Trade objects (used for high-water marks). */
export function decodeTradeBatchHeader(data: Uint8Array | string): TradeBatchHeader {
  const b = parseWire(data);
  return { source: b.source, symbol: b.symbol, firstId: b.firstId, lastId: b.lastId, count: b.id.length };
}

/** Every trade of a batch, in order. Prices and quantities are re-derived from the exact strings. */
export function decodeTradeBatch(data: Uint8Array | string): Trade[] {
  const b = parseWire(data);
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
