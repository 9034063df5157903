/**
 * Decoders for the three message contracts the web layer reads from NATS (LiveTick on
 * `ticks.<SYMBOL>`, whose trade fields the Trade contract checks (src/contracts/trade.ts), SilverBar on `silver.<SYMBOL>` (its schema: src/contracts/silver-bar.ts),
 * Candle on `candles.<SYMBOL>` (src/contracts/candle.ts)). The producers
 * are other modules; a message that breaks the contract is refused here with a named error
 * instead of reaching a browser half-formed.
 */
import { z } from "zod";
import type { LiveTick } from "../../actors/symbol/messages.js";
import { silverBarSchema, type SilverBar } from "../../contracts/silver-bar.js";
import type { Candle } from "../../market/candles.js";
import { candleSchema } from "../../contracts/candle.js";
import { tradeSchema } from "../../contracts/trade.js";
import { MalformedMessage } from "./errors.js";

const num = z.number().finite();

/**
 * A tick carries its last trade's symbol, price, quantity and id, checked as the Trade contract
 * checks them. Its times only need to be finite: a latency probe (bench/web.ts) stamps them with a
 * sub-millisecond clock.
 */
const tickSchema = tradeSchema.pick({ symbol: true, price: true, quantity: true, tradeId: true }).extend({
  tradeTime: num,
  ingestTime: num,
  tradesSinceLastTick: num,
  candle: candleSchema.nullable(),
  emittedAt: num,
});

const text = new TextDecoder();

function parse<T>(schema: z.ZodType<T>, subject: string, data: Uint8Array): T {
  let json: unknown;
  try {
    json = JSON.parse(text.decode(data));
  } catch (cause) {
    throw new MalformedMessage(subject, "not JSON", { cause });
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new MalformedMessage(subject, z.prettifyError(result.error));
  return result.data;
}

export function decodeTick(subject: string, data: Uint8Array): LiveTick {
  return parse(tickSchema, subject, data) as LiveTick;
}

export function decodeSilverBar(subject: string, data: Uint8Array): SilverBar {
  // The contract's schema checks every field; Features names the 7 features it checks as numbers.
  return parse(silverBarSchema, subject, data) as unknown as SilverBar;
}

export function decodeCandle(subject: string, data: Uint8Array): Candle {
  return parse(candleSchema, subject, data);
}

/** `ticks.BTCUSDT` → `BTCUSDT` (the last token); null for a subject without one. */
export function symbolOfSubject(subject: string): string | null {
  const i = subject.lastIndexOf(".");
  return i < 0 || i === subject.length - 1 ? null : subject.slice(i + 1);
}
