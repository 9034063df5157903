/**
 * JSON messages on the log → serving rows. A silver message is a market `Bar` (src/market/bar.ts)
 * plus `features` (FEATURE_NAMES keys, or null during warm-up), `prediction` and
 * `predictionModelVersion` (null without a champion) and `emitTime`; the bar may also be nested
 * under `bar`. A candle message is a market `Candle` with `intervalMs` 60000 (or absent).
 * Unknown extra fields are ignored so producers can add fields without breaking this writer.
 */
import { z } from "zod";
import type { Candle1mRow, SilverBarRow } from "./rows.js";

export class InvalidServingMessage extends Error {
  override readonly name = "InvalidServingMessage";
}

const num = z.number().finite();
const ms = z.number().int().nonnegative();
const nullableNum = num.nullable().optional().transform((v) => v ?? null);

const barFields = z.object({
  symbol: z.string().min(1),
  windowStart: ms,
  windowEnd: ms,
  open: num,
  high: num,
  low: num,
  close: num,
  avgPrice: num,
  vwap: num,
  volume: num,
  tradeCount: z.number().int().nonnegative(),
  volatility: num,
  closedByIngestTime: ms.optional(),
});

const featureFields = z.object({
  lag_1: nullableNum,
  lag_3: nullableNum,
  ma_5: nullableNum,
  ma_10: nullableNum,
  momentum: nullableNum,
  volatility_change: nullableNum,
});

const silverEnvelope = z.object({
  bar: barFields.optional(),
  features: featureFields.nullable().optional(),
  prediction: z.union([num, z.object({ value: num, modelVersion: z.string() })]).nullable().optional(),
  predictionModelVersion: z.string().nullable().optional(),
  /** The SymbolActor's SilverBar names (src/actors/symbol/messages.ts). */
  modelVersion: z.string().nullable().optional(),
  closingIngestTime: ms.nullable().optional(),
  emitTime: ms.nullable().optional(),
  emittedAt: ms.nullable().optional(),
});

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

export function decodeSilverBar(data: Uint8Array | string): SilverBarRow {
  const json = parseJson(data);
  const env = silverEnvelope.safeParse(json);
  if (!env.success) fail("silver message", env.error);
  const bar = barFields.safeParse(env.data.bar ?? json);
  if (!bar.success) fail("silver bar", bar.error);
  const b = bar.data;
  const f = env.data.features ?? null;
  const p = env.data.prediction ?? null;
  return {
    symbol: b.symbol.toUpperCase(),
    windowStart: b.windowStart,
    windowEnd: b.windowEnd,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    avgPrice: b.avgPrice,
    vwap: b.vwap,
    volume: b.volume,
    tradeCount: b.tradeCount,
    volatility: b.volatility,
    lag1: f?.lag_1 ?? null,
    lag3: f?.lag_3 ?? null,
    ma5: f?.ma_5 ?? null,
    ma10: f?.ma_10 ?? null,
    momentum: f?.momentum ?? null,
    volatilityChange: f?.volatility_change ?? null,
    prediction: typeof p === "number" ? p : (p?.value ?? null),
    predictionModelVersion: typeof p === "object" && p !== null ? p.modelVersion : (env.data.predictionModelVersion ?? env.data.modelVersion ?? null),
    closingIngestTime: env.data.closingIngestTime ?? b.closedByIngestTime ?? null,
    emitTime: env.data.emitTime ?? env.data.emittedAt ?? null,
  };
}

export function decodeCandle1m(data: Uint8Array | string): Candle1mRow {
  const c = candleFields.safeParse(parseJson(data));
  if (!c.success) fail("1m candle", c.error);
  const { intervalMs: _interval, ...row } = c.data;
  return { ...row, symbol: row.symbol.toUpperCase() };
}
