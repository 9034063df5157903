/**
 * The lake side of a verification: one snapshot per table (its txn says which log sequence it
 * holds, its files are exactly what that sequence put there), read one symbol at a time with
 * partition and stats pruning, one column, one file in memory at a time.
 */
import type { Snapshot } from "../lake/delta/replay.js";
import type { Lake } from "../lake/lake.js";
import type { DeltaTable } from "../lake/table/table.js";
import type { Predicate } from "../lake/table/pruning.js";
import type { BronzeTrades, SilverWindows } from "./reconcile.js";

export interface TableView {
  name: string;
  table: DeltaTable;
  snapshot: Snapshot;
  /** The writer's committed log sequence (Delta txn of its appId); -1 when it never committed. */
  committedSeq: number;
}

/** A table's current snapshot, or null when the table does not exist yet. */
export async function openTableView(lake: Lake, name: string, appId: string): Promise<TableView | null> {
  if (!(await lake.exists(name))) return null;
  const table = lake.table(name);
  const snapshot = await table.snapshot();
  return { name, table, snapshot, committedSeq: snapshot.txns.get(appId) ?? -1 };
}

async function eachValue(view: TableView, filter: Predicate[], column: string, each: (v: number) => void, signal?: AbortSignal): Promise<void> {
  for (const file of view.table.files(view.snapshot, filter)) {
    signal?.throwIfAborted();
    for (const row of await view.table.readFile(view.snapshot, file, [...new Set([column, ...filter.map((p) => p.column)])])) {
      if (filter.every((p) => p.op !== ">=" || Number(row[p.column]) >= Number(p.value))) each(Number(row[column]));
    }
  }
}

/** Bronze trade ids of one (source, symbol) from `fromId` on. */
export function readBronzeIds(view: TableView, source: string, symbol: string, fromId: number, into: BronzeTrades, signal?: AbortSignal): Promise<void> {
  const filter: Predicate[] = [
    { column: "source", op: "=", value: source },
    { column: "symbol", op: "=", value: symbol },
    { column: "trade_id", op: ">=", value: fromId },
  ];
  return eachValue(view, filter, "trade_id", (id) => into.add(id), signal);
}

/** Silver window indexes (start / slide) of one symbol from `fromStart` (ms) on. */
export function readSilverWindows(view: TableView, symbol: string, fromStart: number, slideMs: number, into: SilverWindows, signal?: AbortSignal): Promise<void> {
  const filter: Predicate[] = [
    { column: "symbol", op: "=", value: symbol },
    { column: "window_start", op: ">=", value: fromStart },
  ];
  return eachValue(view, filter, "window_start", (start) => into.add(Math.floor(start / slideMs)), signal);
}

/** The earliest silver window start (ms) of one symbol, or null when the table holds none. */
export async function firstSilverWindowStart(view: TableView, symbol: string, signal?: AbortSignal): Promise<number | null> {
  let first: number | null = null;
  await eachValue(view, [{ column: "symbol", op: "=", value: symbol }], "window_start", (start) => (first = first === null ? start : Math.min(first, start)), signal);
  return first;
}
