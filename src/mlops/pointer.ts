/**
 * The champion pointer: one KV value per symbol naming the model version live inference uses,
 * with the champions it replaced (newest first) so a rollback needs nothing but the pointer.
 * Pure functions; the KV compare-and-set lives in champion-store.ts.
 */
import type { ModelKind } from "../ml/index.js";
import { InvalidChampionRecord, NoPreviousChampion } from "./errors.js";

/** How many replaced champions a pointer remembers (rollback depth). */
export const POINTER_HISTORY = 20;

export interface ChampionRef {
  /** Registry version, "<SYMBOL>/v<N>", or "naive" after a demotion (the naive forecast serves). */
  version: string;
  kind: ModelKind;
  /** Lake key of the model JSON, "models/<SYMBOL>/v<N>/model.json" ("" for naive). */
  artifact: string;
  /** Epoch ms. */
  promotedAt: number;
  /** Why it became champion (promotion rule detail or "rollback from …"). */
  reason: string;
}

export interface ChampionPointer extends ChampionRef {
  symbol: string;
  /** Champions this one replaced, newest first (at most POINTER_HISTORY). */
  previous: ChampionRef[];
}

const VERSION = /^([A-Z0-9][A-Z0-9_]{1,63})\/v([1-9][0-9]*)$/;

/** The version a pointer names when a demotion left the symbol to the naive forecast. */
export const NAIVE_VERSION = "naive";

/** A pointer (or history entry) that serves the naive forecast: written by a demotion. */
export function isNaiveRef(ref: ChampionRef): boolean {
  return ref.version === NAIVE_VERSION;
}

export function modelVersion(symbol: string, n: number): string {
  return `${symbol}/v${n}`;
}

/** "BTCUSDT/v3" → { symbol: "BTCUSDT", n: 3 }; throws InvalidChampionRecord otherwise. */
export function parseModelVersion(version: string): { symbol: string; n: number } {
  const m = VERSION.exec(version);
  if (!m) throw new InvalidChampionRecord(`model version "${version}" is not <SYMBOL>/v<N>`);
  return { symbol: m[1]!, n: Number(m[2]) };
}

/** Where a version's model JSON lives in the lake. */
export function artifactKey(version: string): string {
  const { symbol, n } = parseModelVersion(version);
  return `models/${symbol}/v${n}/model.json`;
}

export function metadataKey(version: string): string {
  const { symbol, n } = parseModelVersion(version);
  return `models/${symbol}/v${n}/metadata.json`;
}

/** The pointer after promoting `next` over `current` (null: first champion). */
export function promotedPointer(symbol: string, current: ChampionPointer | null, next: ChampionRef): ChampionPointer {
  if (parseModelVersion(next.version).symbol !== symbol) throw new InvalidChampionRecord(`version ${next.version} does not belong to ${symbol}`);
  const previous = current === null ? [] : [refOf(current), ...current.previous].slice(0, POINTER_HISTORY);
  return { symbol, ...next, previous };
}

/** The pointer after a rollback: the newest previous champion is restored and leaves the history. */
export function rolledBackPointer(current: ChampionPointer | null, now: number): ChampionPointer {
  const restored = current?.previous[0];
  if (current === null || restored === undefined) {
    throw new NoPreviousChampion(current === null ? "no champion to roll back" : `${current.symbol} has no previous champion (current ${current.version})`);
  }
  return { symbol: current.symbol, ...restored, promotedAt: now, reason: `rollback from ${current.version}`, previous: current.previous.slice(1) };
}

/**
 * The pointer after an automatic demotion: the naive forecast serves, and the demoted champion
 * heads the history (a rollback restores it by hand; nothing restores it automatically).
 */
export function demotedPointer(current: ChampionPointer, now: number, reason: string): ChampionPointer {
  if (isNaiveRef(current)) throw new InvalidChampionRecord(`${current.symbol} is already served by the naive forecast`);
  return { symbol: current.symbol, version: NAIVE_VERSION, kind: "naive", artifact: "", promotedAt: now, reason, previous: [refOf(current), ...current.previous].slice(0, POINTER_HISTORY) };
}

function refOf(p: ChampionPointer): ChampionRef {
  return { version: p.version, kind: p.kind, artifact: p.artifact, promotedAt: p.promotedAt, reason: p.reason };
}

function isRef(v: unknown): v is ChampionRef {
  const r = v as Partial<ChampionRef> | null;
  return (
    r !== null &&
    typeof r === "object" &&
    typeof r.version === "string" &&
    (VERSION.test(r.version) || (r.version === NAIVE_VERSION && r.kind === "naive" && r.artifact === "")) &&
    typeof r.kind === "string" &&
    typeof r.artifact === "string" &&
    typeof r.promotedAt === "number" &&
    typeof r.reason === "string"
  );
}

/** Validates a pointer read from KV. */
export function parsePointer(value: unknown, key?: string): ChampionPointer {
  const p = value as Partial<ChampionPointer> | null;
  if (!isRef(value) || typeof p?.symbol !== "string" || !Array.isArray(p.previous) || !p.previous.every(isRef)) {
    throw new InvalidChampionRecord(`champion pointer${key ? ` ${key}` : ""} is malformed`);
  }
  if (key !== undefined && p.symbol !== key) throw new InvalidChampionRecord(`champion pointer under key ${key} names symbol ${p.symbol}`);
  return p as ChampionPointer;
}
