/**
 * Names that custom data turns into: sources and data types are NATS subject tokens and table
 * names; a custom instrument becomes a market symbol `<SOURCE>_<SYMBOL>`, which is an entity key
 * and a subject token too. Keeping all of them to `[a-z0-9_]` / `[A-Z0-9_]` makes every one safe.
 */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9_]{0,31}$/;
export const DATA_TYPE_PATTERN = /^[a-z0-9][a-z0-9_]{0,31}$/;
/** The instrument part of a custom symbol: no underscore, so `<SOURCE>_<SYMBOL>` splits at its last `_`. */
export const INSTRUMENT_PATTERN = /^[A-Z0-9]{1,20}$/;
export { MARKET_SYMBOL_PATTERN } from "../market/symbol.js";
import { MARKET_SYMBOL_PATTERN } from "../market/symbol.js";
import { customSubject } from "../runtime/nats/spec.js";

/** Data types that mean "market data" (the original's CRYPTO, plus obvious synonyms). */
export const MARKET_TYPES: ReadonlySet<string> = new Set(["market", "crypto", "stock", "stocks", "trade", "trades", "price", "prices", "fx"]);
export const MARKET_TYPE = "market";

/** Lower-cases a source name; undefined when it is not a valid one. */
export function normalizeSource(raw: string): string | undefined {
  const s = raw.trim().toLowerCase();
  return SOURCE_PATTERN.test(s) ? s : undefined;
}

export function normalizeDataType(raw: string): string | undefined {
  const t = raw.trim().toLowerCase();
  return DATA_TYPE_PATTERN.test(t) ? t : undefined;
}

export function isMarketType(dataType: string): boolean {
  return MARKET_TYPES.has(dataType);
}

/** `acme` + `widget1` → `ACME_WIDGET1`; undefined when the instrument has characters outside [A-Z0-9]. */
export function marketSymbol(source: string, instrument: string): string | undefined {
  const i = instrument.trim().toUpperCase();
  if (!INSTRUMENT_PATTERN.test(i)) return undefined;
  const symbol = `${source.toUpperCase()}_${i}`;
  return MARKET_SYMBOL_PATTERN.test(symbol) ? symbol : undefined;
}

export function ingestSubject(source: string, dataType: string): string {
  return customSubject(source, dataType);
}

/** `ingest.<source>.<data_type>` → its tokens (lower-cased), or undefined for any other shape. */
export function parseIngestSubject(subject: string): { source: string; dataType: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 3 || parts[0] !== "ingest") return undefined;
  const source = normalizeSource(parts[1]!);
  const dataType = normalizeDataType(parts[2]!);
  return source && dataType ? { source, dataType } : undefined;
}

/**
 * One lake table per (source, data type): `custom.<source>.<data_type>`. A `.` can occur in
 * neither name, so the table name splits back into exactly one pair. The old
 * `custom_<source>_<type>` did not (issue 12): source `acme` + type `corp_orders` wrote the table
 * of `acme_corp` + `orders`, fixing its column types and making the victim's rows fail.
 */
export function customTableName(source: string, dataType: string): string {
  return `custom.${source}.${dataType}`;
}

/** `custom.<source>.<data_type>` → its names, or undefined for any other table. */
export function parseCustomTableName(name: string): { source: string; dataType: string } | undefined {
  const parts = name.split(".");
  if (parts.length !== 3 || parts[0] !== "custom") return undefined;
  return SOURCE_PATTERN.test(parts[1]!) && DATA_TYPE_PATTERN.test(parts[2]!) ? { source: parts[1]!, dataType: parts[2]! } : undefined;
}

/** A table named the old, ambiguous way (`custom_<source>_<type>`), to be migrated (migrate-names.ts). */
export function isLegacyCustomTableName(name: string): boolean {
  return /^custom_[a-z0-9_]+$/.test(name);
}
