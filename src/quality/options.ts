/** The gate's knobs, with documented defaults; range rules are data (a JSON file). */
import { readFileSync } from "node:fs";

export interface RangeRule {
  /** Shown in the report; default `<table>.<column>`. */
  name?: string;
  /** Lake table the rule reads (bronze_trades, silver_bars or a custom table). */
  table: string;
  column: string;
  min?: number;
  max?: number;
  /** "error" (default) fails the check and quarantines the row; "warn" only warns. */
  severity?: "error" | "warn";
  /** Only rows of these symbols (the row's `symbol` column). */
  symbols?: string[];
}

export interface QualityOptions {
  /** Times up to this far ahead of the clock are tolerated (ms). */
  clockSkewMs: number;
  /** A subscribed symbol with no trade for this long is stale (ms). */
  staleAfterMs: number;
  /** Bars a symbol may have without features at the start of its history. */
  warmupBars: number;
  /** Offending rows kept per check in the report. */
  sampleLimit: number;
  /** Sources whose trade ids are consecutive (gaps are meaningful only there). */
  gapSources: string[];
  /** First day each symbol traded (ms); earlier times are broken. Others use `defaultListedAt`. */
  listedAt: Record<string, number>;
  defaultListedAt: number;
  rangeRules: RangeRule[];
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

export const DEFAULT_QUALITY_OPTIONS: QualityOptions = {
  clockSkewMs: 5_000,
  staleAfterMs: 5 * 60_000,
  warmupBars: 10,
  sampleLimit: 5,
  gapSources: ["binance"],
  // Binance spot listing days of the default symbols.
  listedAt: { BTCUSDT: day("2017-08-17"), ETHUSDT: day("2017-08-17"), BNBUSDT: day("2017-11-06"), XRPUSDT: day("2018-05-04"), SOLUSDT: day("2020-08-11") },
  // Binance opened on 2017-07-14; nothing we ingest from it can be older. Custom sources can set their own.
  defaultListedAt: day("2017-07-14"),
  rangeRules: [],
};

export class QualityRulesInvalid extends Error {
  override readonly name = "QualityRulesInvalid";
}

/** Validates range rules from JSON (`[{ table, column, min?, max?, ... }]`), naming the bad entry. */
export function parseRangeRules(json: unknown): RangeRule[] {
  if (!Array.isArray(json)) throw new QualityRulesInvalid("range rules must be a JSON array");
  return json.map((r: unknown, i) => {
    const at = `range rule ${i}`;
    if (typeof r !== "object" || r === null) throw new QualityRulesInvalid(`${at} must be an object`);
    const o = r as Record<string, unknown>;
    if (typeof o.table !== "string" || !o.table) throw new QualityRulesInvalid(`${at}: "table" must be a non-empty string`);
    if (typeof o.column !== "string" || !o.column) throw new QualityRulesInvalid(`${at}: "column" must be a non-empty string`);
    for (const k of ["min", "max"] as const) if (o[k] !== undefined && !Number.isFinite(o[k])) throw new QualityRulesInvalid(`${at}: "${k}" must be a finite number`);
    if (o.min === undefined && o.max === undefined) throw new QualityRulesInvalid(`${at}: give "min", "max" or both`);
    if (o.min !== undefined && o.max !== undefined && (o.min as number) > (o.max as number)) throw new QualityRulesInvalid(`${at}: "min" is above "max"`);
    if (o.severity !== undefined && o.severity !== "error" && o.severity !== "warn") throw new QualityRulesInvalid(`${at}: "severity" must be "error" or "warn"`);
    if (o.symbols !== undefined && !(Array.isArray(o.symbols) && o.symbols.every((s) => typeof s === "string"))) throw new QualityRulesInvalid(`${at}: "symbols" must be an array of strings`);
    return {
      table: o.table,
      column: o.column,
      ...(typeof o.name === "string" ? { name: o.name } : {}),
      ...(o.min !== undefined ? { min: o.min as number } : {}),
      ...(o.max !== undefined ? { max: o.max as number } : {}),
      ...(o.severity ? { severity: o.severity as "error" | "warn" } : {}),
      ...(o.symbols ? { symbols: o.symbols as string[] } : {}),
    };
  });
}

/** Reads range rules from a file; a missing file means no rules. */
export function loadRangeRules(path: string): RangeRule[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new QualityRulesInvalid(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseRangeRules(JSON.parse(text));
  } catch (err) {
    if (err instanceof QualityRulesInvalid) throw new QualityRulesInvalid(`${path}: ${err.message}`, { cause: err });
    throw new QualityRulesInvalid(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

export function listedAtOf(o: QualityOptions, symbol: string): number {
  return o.listedAt[symbol] ?? o.defaultListedAt;
}
