/**
 * JSON messages on the log → serving rows. A silver message is the SilverBar contract's, in any
 * shape the log may still hold (src/contracts/silver-bar.ts upgrades the old ones). A candle
 * message is a market `Candle` with `intervalMs` 60000 (or absent). Unknown extra fields are
 * ignored so producers can add fields without breaking this writer.
 */
import { z } from "zod";
import { InvalidSilverMessage, silverRowFromMessage, type SilverBarRow } from "../../contracts/silver-bar.js";
import type { Candle1mRow } from "./rows.js";

export class InvalidServingMessage extends Error {
  override readonly name = "InvalidServingMessage";
}

const num = z.number().finite();
const ms = z.number().int().nonnegative();
const nullableNum = num.nullable().optional().transform((v) => v ?? null);

const candleFields = z.object({
  symbol: z.string().min(1),
  intervalMs: z.literal(60_000).optional(),
  openTime: ms.refine((t) => t % 60_000 === 0, "openTime must be a whole minute"),
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
  tradeCount: z.number().int().nonnegative(),
  quoteVolume: num,
});

function fail(what: string, error: z.ZodError): never {
  const issue = error.issues[0];
  throw new InvalidServingMessage(`${what}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`);
}

function parseJson(data: Uint8Array | string): unknown {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidServingMessage(`not JSON: ${(err as Error).message}`);
  }
}

/** A silver message of any shape the log may hold → its row (the upgrader is the contract's: src/contracts/silver-bar.ts). */
export function decodeSilverBar(data: Uint8Array | string): SilverBarRow {
  const json = parseJson(data);
  try {
    return silverRowFromMessage(json);
  } catch (err) {
    if (err instanceof InvalidSilverMessage) throw new InvalidServingMessage(`silver bar: ${err.message}`);
    throw err;
  }
}

export function decodeCandle1m(data: Uint8Array | string): Candle1mRow {
  const c = candleFields.safeParse(parseJson(data));
  if (!c.success) fail("1m candle", c.error);
  const { intervalMs: _interval, ...row } = c.data;
  return { ...row, symbol: row.symbol.toUpperCase() };
}
