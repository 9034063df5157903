/**
 * The quarantine: failing rows moved aside (as a Delta table `quarantine` in the lake), each with
 * its rule, detail, log sequence and the report that found it. Training reads silver through
 * `QuarantineIndex` (or the SQL filter in db-filter.ts) and so never sees a quarantined row.
 */
import type { Lake } from "../lake/lake.js";
import type { DeltaTable, TableDefinition } from "../lake/table/table.js";
import type { Action } from "../lake/delta/actions.js";
import { utcDate } from "../lake/tables/bronze-trades.js";
import type { SilverTableRow } from "../lake/tables/silver-bars.js";
import type { Violation } from "./types.js";

export const QUARANTINE_TABLE = "quarantine";

export const quarantineDefinition: TableDefinition = {
  name: QUARANTINE_TABLE,
  description: "Rows that failed the quality gate, with the rule and the log sequence (never used for training)",
  columns: [
    { name: "source_table", type: "string", nullable: false },
    { name: "date", type: "string", nullable: false },
    { name: "symbol", type: "string", nullable: false },
    { name: "row_key", type: "string", nullable: false },
    { name: "check", type: "string", nullable: false },
    { name: "rule", type: "string", nullable: false },
    { name: "detail", type: "string", nullable: false },
    { name: "event_time", type: "timestamp", nullable: true },
    { name: "log_seq", type: "long", nullable: true },
    { name: "report_id", type: "string", nullable: false },
    { name: "quarantined_at", type: "timestamp", nullable: false },
    { name: "row_json", type: "string", nullable: false },
  ],
  partitionColumns: ["source_table", "date"],
};

export interface QuarantineEntry {
  sourceTable: string;
  symbol: string;
  rowKey: string;
  check: string;
  rule: string;
  detail: string;
  eventTime: number | null;
  logSeq: number | null;
  reportId: string;
  quarantinedAt: number;
  row: Record<string, unknown>;
}

function idOf(table: string, symbol: string, key: string): string {
  return `${table}\u0000${symbol}\u0000${key}`;
}

/** Which rows are quarantined: load once, ask per row. */
export class QuarantineIndex {
  readonly #ids: Set<string>;

  constructor(entries: Iterable<Pick<QuarantineEntry, "sourceTable" | "symbol" | "rowKey">> = []) {
    this.#ids = new Set([...entries].map((e) => idOf(e.sourceTable, e.symbol, e.rowKey)));
  }

  get size(): number {
    return this.#ids.size;
  }

  has(table: string, symbol: string, rowKey: string): boolean {
    return this.#ids.has(idOf(table, symbol, rowKey));
  }

  add(table: string, symbol: string, rowKey: string): void {
    this.#ids.add(idOf(table, symbol, rowKey));
  }

  /** Is this silver bar quarantined (any rule)? */
  isBarQuarantined(bar: Pick<SilverTableRow, "symbol" | "windowEnd">): boolean {
    return this.has("silver_bars", bar.symbol, String(bar.windowEnd));
  }

  /** The bars training may use. */
  excludeBars<B extends Pick<SilverTableRow, "symbol" | "windowEnd">>(bars: readonly B[]): B[] {
    return bars.filter((b) => !this.isBarQuarantined(b));
  }
}

/** Reads every quarantine entry of a table (all when `sourceTable` is omitted). Empty when there is no quarantine yet. */
export async function readQuarantine(lake: Lake, sourceTable?: string): Promise<QuarantineEntry[]> {
  if (!(await lake.exists(QUARANTINE_TABLE))) return [];
  const rows = await lake.table(QUARANTINE_TABLE).read(sourceTable ? { filter: [{ column: "source_table", op: "=", value: sourceTable }] } : {});
  return rows.map((r) => ({
    sourceTable: String(r.source_table),
    symbol: String(r.symbol),
    rowKey: String(r.row_key),
    check: String(r.check),
    rule: String(r.rule),
    detail: String(r.detail),
    eventTime: r.event_time === null || r.event_time === undefined ? null : Number(r.event_time),
    logSeq: r.log_seq === null || r.log_seq === undefined ? null : Number(r.log_seq),
    reportId: String(r.report_id),
    quarantinedAt: Number(r.quarantined_at),
    row: JSON.parse(String(r.row_json)) as Record<string, unknown>,
  }));
}

/** The index the ML dataset builder calls: `(await loadQuarantineIndex(lake)).excludeBars(bars)`. */
export async function loadQuarantineIndex(lake: Lake, sourceTable?: string): Promise<QuarantineIndex> {
  return new QuarantineIndex(await readQuarantine(lake, sourceTable));
}

/** Violations that move rows, one entry per row and rule, skipping those already quarantined. */
export function quarantineEntries(violations: readonly Violation[], already: QuarantineIndex, reportId: string, now: number): QuarantineEntry[] {
  const seen = new Set<string>();
  const out: QuarantineEntry[] = [];
  for (const v of violations) {
    if (!v.quarantine) continue;
    const { table, symbol, key } = v.ref;
    const id = `${idOf(table, symbol, key)}\u0000${v.rule}`;
    if (seen.has(id) || already.has(table, symbol, key)) continue;
    seen.add(id);
    out.push({ sourceTable: table, symbol, rowKey: key, check: v.check, rule: v.rule, detail: v.detail, eventTime: v.ref.eventTime, logSeq: v.ref.logSeq, reportId, quarantinedAt: now, row: v.ref.row });
  }
  return out;
}

function json(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

/** Appends entries as one Delta commit (one file per partition). Returns the new version, or undefined when there was nothing to add. */
export async function appendQuarantine(lake: Lake, entries: readonly QuarantineEntry[], reportId: string): Promise<number | undefined> {
  if (entries.length === 0) return undefined;
  const table: DeltaTable = await lake.ensureTable(quarantineDefinition);
  const groups = new Map<string, QuarantineEntry[]>();
  for (const e of entries) {
    const k = `${e.sourceTable}\u0000${utcDate(e.quarantinedAt)}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const adds: Action[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const columns = new Map<string, ArrayLike<unknown>>([
      ["symbol", group.map((e) => e.symbol)],
      ["row_key", group.map((e) => e.rowKey)],
      ["check", group.map((e) => e.check)],
      ["rule", group.map((e) => e.rule)],
      ["detail", group.map((e) => e.detail)],
      ["event_time", group.map((e) => e.eventTime)],
      ["log_seq", group.map((e) => e.logSeq)],
      ["report_id", group.map((e) => e.reportId)],
      ["quarantined_at", group.map((e) => e.quarantinedAt)],
      ["row_json", group.map((e) => json(e.row))],
    ]);
    const add = await table.writeDataFile(quarantineDefinition, { source_table: first.sourceTable, date: utcDate(first.quarantinedAt) }, { numRows: group.length, columns });
    adds.push({ type: "add", add });
  }
  return table.commitWith(() => adds, { operation: "WRITE", operationParameters: { mode: "Append", reportId } });
}

/** Anything that serves bars per symbol (the mlops SilverSource has this shape). */
export interface BarSource<B extends Pick<SilverTableRow, "symbol" | "windowEnd">> {
  bars(symbol: string): Promise<readonly B[]>;
  symbols(): Promise<string[]>;
  /** Bar counts per symbol from one listing (an upper bound: quarantined bars are still counted). */
  survey(): Promise<Map<string, number>>;
}

/**
 * Wraps a bar source so quarantined bars never come out of it. The quarantine is re-read on each
 * call (a run may have added rows since); it is one small table, pruned to silver rows.
 */
export function excludingQuarantined<B extends Pick<SilverTableRow, "symbol" | "windowEnd">>(source: BarSource<B>, lake: Lake): BarSource<B> {
  return {
    async bars(symbol) {
      const [bars, index] = await Promise.all([source.bars(symbol), loadQuarantineIndex(lake, "silver_bars")]);
      return index.excludeBars(bars);
    },
    symbols: () => source.symbols(),
    survey: () => source.survey(),
  };
}
