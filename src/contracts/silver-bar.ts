/**
 * The SilverBar contract: one closed window of one symbol with its features and prediction.
 *
 * - `SilverBar` is the message the SymbolActor publishes on `silver.<SYMBOL>`;
 *   `silverBarSchema` checks it where it is read (web live feed, lake writer).
 * - `SilverBarRow` is the same bar as one flat row, the shape of both tables that store it: the
 *   lake's `silver_bars` (plus the log sequence, src/lake/tables/silver-bars.ts) and the serving
 *   table `silver_bars` in PostgreSQL (src/db/serving/upsert.ts).
 * - `SILVER_BAR_COLUMNS` lists the row's fields once, with each one's lake column and SQL column;
 *   both column lists are derived from it.
 * - `silverRowFromMessage` reads a message of any shape the log may still hold: older producers'
 *   shapes are turned into the current one by `upgradeSilverMessage`, one named step per shape.
 *
 * Adding a field: the field here (type, schema, column entry, the two mappings), one migration for
 * the serving table, and the code that computes it.
 */
import { z } from "zod";
import type { Bar } from "../market/bar.js";
import type { Features } from "../market/features.js";
import { firstIssue, InvalidContractMessage } from "./errors.js";
import { num, ohlcvFields, whole } from "./fields.js";

/** A closed window as published to silver: the bar, its 7 features and the in-flight prediction. */
export interface SilverBar extends Bar {
  /** null during warm-up (fewer than 10 bars so far). */
  features: Features | null;
  /**
   * Forecast of the next bar's close. The champion predicts once features exist; during warm-up,
   * without a champion, or when the champion fails, the naive forecast (this close) does, and
   * `modelVersion` says "naive". Kept nullable for consumers of older log entries.
   */
  prediction: number | null;
  modelVersion: string;
  /** When the actor emitted it (its clock); with closedByIngestTime gives ingest→silver latency. */
  emittedAt: number;
}

export class InvalidSilverMessage extends InvalidContractMessage {
  override readonly name = "InvalidSilverMessage";
}

/** The bar's own fields, which every shape of the message has had. */
const barFields = {
  symbol: z.string().min(1),
  windowStart: whole,
  windowEnd: whole,
  ...ohlcvFields,
  avgPrice: num,
  vwap: num,
  volatility: num,
};

/** The current SilverBar message, every field required. */
export const silverBarSchema = z.object({
  ...barFields,
  firstTradeId: num,
  lastTradeId: num,
  firstTradeTime: num,
  lastTradeTime: num,
  closedByIngestTime: num,
  features: z.record(z.string(), z.number().nullable()).nullable(),
  prediction: num.nullable(),
  modelVersion: z.string(),
  emittedAt: num,
});

/** A current SilverBar message (parsed JSON) → the SilverBar; throws InvalidSilverMessage naming the first bad field. */
export function parseSilverBar(json: unknown): SilverBar {
  const parsed = silverBarSchema.safeParse(json);
  if (!parsed.success) throw new InvalidSilverMessage(z.prettifyError(parsed.error));
  // The schema checks every field; `features` is checked as numbers by name, Features names them.
  return parsed.data as unknown as SilverBar;
}

/** The bar's own fields a row keeps as they are. */
type RowBarFields = "symbol" | "windowStart" | "windowEnd" | "open" | "high" | "low" | "close" | "avgPrice" | "vwap" | "volume" | "tradeCount" | "volatility";

/** One closed window as a flat row (times in ms since epoch): the bar's fields, the features one by one, the prediction. */
export type SilverBarRow = Pick<Bar, RowBarFields> & {
  lag1: number | null;
  lag3: number | null;
  ma5: number | null;
  ma10: number | null;
  momentum: number | null;
  volatilityChange: number | null;
  prediction: number | null;
  predictionModelVersion: string | null;
  /** Ingest time of the trade that closed the window (null: an old message without it). */
  closingTradeIngestTime: number | null;
  /** When the bar was emitted (null: an old message without it; the lake always has it). */
  emitTime: number | null;
};

type LakeType = "string" | "timestamp" | "double" | "long";
type SqlType = "text" | "bigint" | "integer" | "double precision";

export interface SilverBarColumn {
  field: keyof SilverBarRow;
  /** The lake column: name, Delta type, nullable. */
  lake: { name: string; type: LakeType; nullable: boolean };
  /** The serving table's column: name and the array type its upsert unnests. */
  sql: { name: string; type: SqlType };
}

const column = (field: keyof SilverBarRow, lakeName: string, lakeType: LakeType, nullable: boolean, sqlType: SqlType, sqlName = lakeName): SilverBarColumn => ({
  field,
  lake: { name: lakeName, type: lakeType, nullable },
  sql: { name: sqlName, type: sqlType },
});

/** Every field of SilverBarRow, in table order. */
export const SILVER_BAR_COLUMNS: readonly SilverBarColumn[] = [
  column("symbol", "symbol", "string", false, "text"),
  column("windowStart", "window_start", "timestamp", false, "bigint"),
  column("windowEnd", "window_end", "timestamp", false, "bigint"),
  column("open", "open", "double", false, "double precision"),
  column("high", "high", "double", false, "double precision"),
  column("low", "low", "double", false, "double precision"),
  column("close", "close", "double", false, "double precision"),
  column("avgPrice", "avg_price", "double", false, "double precision"),
  column("vwap", "vwap", "double", false, "double precision"),
  column("volume", "volume", "double", false, "double precision"),
  column("tradeCount", "trade_count", "long", false, "integer"),
  column("volatility", "volatility", "double", true, "double precision"),
  column("lag1", "lag_1", "double", true, "double precision"),
  column("lag3", "lag_3", "double", true, "double precision"),
  column("ma5", "ma_5", "double", true, "double precision"),
  column("ma10", "ma_10", "double", true, "double precision"),
  column("momentum", "momentum", "double", true, "double precision"),
  column("volatilityChange", "volatility_change", "double", true, "double precision"),
  column("prediction", "prediction", "double", true, "double precision"),
  column("predictionModelVersion", "prediction_model_version", "string", true, "text"),
  column("closingTradeIngestTime", "closing_trade_ingest_time", "timestamp", true, "bigint", "closing_ingest_time"),
  column("emitTime", "emit_time", "timestamp", false, "bigint"),
];

/** What a row is made of: a SilverBar, or a stored message whose newer fields may be missing. */
type RowSource = Pick<Bar, RowBarFields> & {
  features: Partial<Record<"lag_1" | "lag_3" | "ma_5" | "ma_10" | "momentum" | "volatility_change", number | null>> | null;
  prediction: number | null;
  modelVersion: string | null;
  closedByIngestTime: number | null;
  emittedAt: number | null;
};

function rowOf(b: RowSource): SilverBarRow {
  const f = b.features;
  return {
    symbol: b.symbol,
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
    prediction: b.prediction,
    predictionModelVersion: b.modelVersion,
    closingTradeIngestTime: b.closedByIngestTime,
    emitTime: b.emittedAt,
  };
}

/** The SymbolActor's SilverBar → its row. */
export function silverRowFromBar(bar: SilverBar): SilverBarRow {
  return rowOf(bar);
}

const nullableNum = num.nullable().optional().transform((v) => v ?? null);
const maybe = <T extends z.ZodType>(t: T) => t.nullable().optional().transform((v) => v ?? null);

/**
 * A SilverBar as the log may hold it once `upgradeSilverMessage` has run: the bar's fields are
 * required, the rest may be missing in old messages. Unknown extra fields are ignored, so a
 * producer can add a field before its readers know it.
 */
const storedSilverBar = z.object({
  ...barFields,
  closedByIngestTime: whole.optional().transform((v) => v ?? null),
  features: z
    .object({ lag_1: nullableNum, lag_3: nullableNum, ma_5: nullableNum, ma_10: nullableNum, momentum: nullableNum, volatility_change: nullableNum })
    .nullable()
    .optional()
    .transform((v) => v ?? null),
  prediction: maybe(num),
  modelVersion: maybe(z.string()),
  emittedAt: maybe(whole),
});

type Json = Record<string, unknown>;
/** What a nested-shape message kept beside its `bar`, under any of its names. */
const ENVELOPE_FIELDS = new Set(["features", "prediction", "predictionModelVersion", "modelVersion", "closingIngestTime", "emitTime", "emittedAt"]);
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/**
 * Older shapes of the silver message, turned into the current one. Each step recognises its shape
 * by a field only that shape has; a field written under an old name wins over the current name
 * when it holds a value (that is how those producers meant it).
 */
export function upgradeSilverMessage(json: unknown): unknown {
  if (!isObject(json)) return json;
  let m: Json = json;
  // 1. The bar nested under `bar`, the features, prediction and times beside it: each field is
  //    taken from where that shape kept it.
  if (isObject(m.bar)) {
    const bar = m.bar;
    m = Object.fromEntries([
      ...Object.entries(bar).filter(([k]) => !ENVELOPE_FIELDS.has(k)),
      ...Object.entries(m).filter(([k]) => ENVELOPE_FIELDS.has(k)),
    ]);
  }
  // 2. The prediction as `{ value, modelVersion }`.
  //    It names the model itself, so an outer predictionModelVersion or modelVersion is dropped.
  if (isObject(m.prediction)) {
    const { prediction: p, predictionModelVersion: _outer, ...rest } = m;
    m = { ...rest, prediction: p.value, modelVersion: p.modelVersion };
  }
  // 3. The serving table's names on the log: predictionModelVersion, closingIngestTime, emitTime.
  const renames: [old: string, current: string][] = [
    ["predictionModelVersion", "modelVersion"],
    ["closingIngestTime", "closedByIngestTime"],
    ["emitTime", "emittedAt"],
  ];
  for (const [old, current] of renames) {
    if (!(old in m)) continue;
    const { [old]: value, ...rest } = m;
    m = present(value) ? { ...rest, [current]: value } : rest;
  }
  return m;
}

/** A silver log message of any shape → its row; throws InvalidSilverMessage naming the first bad field. */
export function silverRowFromMessage(json: unknown): SilverBarRow {
  const parsed = storedSilverBar.safeParse(upgradeSilverMessage(json));
  if (!parsed.success) throw new InvalidSilverMessage(firstIssue(parsed.error));
  return rowOf({ ...parsed.data, symbol: parsed.data.symbol.toUpperCase() });
}
