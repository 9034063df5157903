/**
 * A schema-evolving writer for one custom table `custom.<source>.<type>`. Rows are checked
 * against the table's columns as they arrive (a conflict is reported at once, so the router can
 * dead-letter the record); new fields widen the schema. A flush writes one Parquet file per
 * partition and commits, in ONE Delta version: the `add`s, a `metaData` action when columns
 * were added (the schema change is a table version of its own kind: readers see old files with
 * the new columns as nulls), and `txn {appId, version: last CUSTOM sequence}` — the same
 * exactly-once rule as the lake's LakeWriter: after a crash, rows at or below the txn are skipped.
 */
import { LakeConcurrentModification, utcDate, type Action, type ColumnSpec, type ColumnType, type DeltaTable, type Lake, type Snapshot } from "../lake/index.js";
import { toSchemaString } from "../lake/delta/schema.js";
import { DeltaTable as Table } from "../lake/index.js";
import { systemClock, type Clock } from "../runtime/clock.js";
import { OneAtATime } from "../runtime/one-at-a-time.js";
import { META_COLUMNS, PARTITION_COLUMNS, evolve, type FlatValue } from "./schema.js";

export interface CustomRow {
  /** CUSTOM stream sequence of the message the row came from. */
  seq: number;
  source: string;
  dataType: string;
  ingestTime: number;
  eventTime: number | null;
  values: ReadonlyMap<string, FlatValue>;
}

export type Offer = { kind: "buffered"; added: string[] } | { kind: "already-committed" } | { kind: "conflict"; column: string; message: string };

export interface TableFlush {
  table: string;
  version: number;
  rows: number;
  files: number;
  addedColumns: string[];
}

export class CustomTableWriter {
  readonly name: string;
  readonly appId: string;
  #table: DeltaTable;
  #clock: Clock;
  #columns: ColumnSpec[];
  #types: Map<string, ColumnType>;
  #committedColumns: number;
  #committedSeq: number;
  #rows: CustomRow[] = [];
  #firstAt: number | undefined;
  readonly #flushes = new OneAtATime();

  private constructor(name: string, table: DeltaTable, snapshot: Snapshot, appId: string, clock: Clock) {
    this.name = name;
    this.appId = appId;
    this.#table = table;
    this.#clock = clock;
    this.#columns = Table.schemaOf(snapshot).columns;
    this.#types = new Map(this.#columns.map((c) => [c.name, c.type]));
    this.#committedColumns = this.#columns.length;
    this.#committedSeq = snapshot.txns.get(appId) ?? -1;
  }

  /** Opens (creating at version 0 with the meta columns) the table and reads where this appId left off. */
  static async open(lake: Lake, name: string, options: { appId?: string; clock?: Clock } = {}): Promise<CustomTableWriter> {
    const table = await lake.ensureTable({
      name,
      description: "Custom data (schema inferred from the records, evolved by adding nullable columns)",
      columns: [...META_COLUMNS],
      partitionColumns: [...PARTITION_COLUMNS],
    });
    return new CustomTableWriter(name, table, await table.snapshot(), options.appId ?? `custom-router:${name}`, options.clock ?? systemClock);
  }

  get committedSeq(): number {
    return this.#committedSeq;
  }
  get pendingRows(): number {
    return this.#rows.length;
  }
  /** When the oldest buffered row arrived (clock ms), or undefined. */
  get firstBufferedAt(): number | undefined {
    return this.#firstAt;
  }
  get columns(): readonly ColumnSpec[] {
    return this.#columns;
  }

  /** Checks and buffers one row; a conflicting row is not buffered and changes nothing. */
  offer(row: CustomRow): Offer {
    if (row.seq <= this.#committedSeq) return { kind: "already-committed" };
    const e = evolve(this.#types, row.values);
    if (e.kind === "conflict") return e;
    for (const c of e.added) {
      this.#columns.push(c);
      this.#types.set(c.name, c.type);
    }
    this.#rows.push(row);
    this.#firstAt ??= this.#clock.now();
    return { kind: "buffered", added: e.added.map((c) => c.name) };
  }

  /**
   * Commits the buffer (files + schema + txn in one version). The rows are taken before the first
   * await that follows the catch-up, so rows offered while files are written go to the next flush;
   * on a throw the taken rows go back in front of them for a retry.
   */
  flush(): Promise<TableFlush | undefined> {
    return this.#flushes.run(() => this.#flushNow());
  }

  async #flushNow(): Promise<TableFlush | undefined> {
    if (this.#rows.length === 0) return undefined;
    await this.#catchUp();
    if (this.#rows.length === 0) return undefined;
    const rows = this.#rows;
    const firstAt = this.#firstAt;
    this.#rows = [];
    this.#firstAt = undefined;
    try {
      return await this.#commit(rows);
    } catch (err) {
      this.#rows = rows.concat(this.#rows);
      this.#firstAt = firstAt;
      throw err;
    }
  }

  async #commit(rows: CustomRow[]): Promise<TableFlush> {
    const lastSeq = rows[rows.length - 1]!.seq;
    const columns = [...this.#columns];
    const addedColumns = columns.slice(this.#committedColumns).map((c) => c.name);
    const expectedTxn = this.#committedSeq;
    const dataColumns = columns.filter((c) => !PARTITION_COLUMNS.includes(c.name));
    const schema = { columns, partitionColumns: [...PARTITION_COLUMNS] };
    const adds = await Promise.all(
      [...groupByPartition(rows).values()].map((g) => this.#table.writeDataFile(schema, g.values, toBatch(dataColumns, g.rows))),
    );
    const version = await this.#table.commitWith(
      (s) => {
        if ((s.txns.get(this.appId) ?? -1) !== expectedTxn) {
          throw new LakeConcurrentModification(`${this.appId}: another writer committed under the same appId`);
        }
        const actions: Action[] = [];
        if (addedColumns.length > 0) actions.push({ type: "metaData", metaData: { ...s.metadata, schemaString: toSchemaString(columns) } });
        for (const add of adds) actions.push({ type: "add", add });
        actions.push({ type: "txn", txn: { appId: this.appId, version: lastSeq, lastUpdated: this.#clock.now() } });
        return actions;
      },
      { operation: addedColumns.length > 0 ? "WRITE AND ADD COLUMNS" : "WRITE", operationParameters: { mode: "Append", appId: this.appId, lastLogSeq: lastSeq, rows: rows.length, addedColumns } },
    );
    this.#committedSeq = lastSeq;
    this.#committedColumns = columns.length;
    return { table: this.name, version: version ?? -1, rows: rows.length, files: adds.length, addedColumns };
  }

  /**
   * A commit that landed although its call threw (e.g. the store timed out after writing): the
   * table's txn is ahead of ours. Rows it covers are in the table already; drop them, and take
   * the committed schema as the base (it is a prefix of ours: we are the only writer of this appId).
   */
  async #catchUp(): Promise<void> {
    const s = await this.#table.snapshot();
    const txn = s.txns.get(this.appId) ?? -1;
    if (txn <= this.#committedSeq) return;
    this.#committedSeq = txn;
    this.#committedColumns = Table.schemaOf(s).columns.length;
    this.#rows = this.#rows.filter((r) => r.seq > txn);
    this.#firstAt = this.#rows.length > 0 ? this.#firstAt : undefined;
  }
}

function groupByPartition(rows: CustomRow[]): Map<string, { values: Record<string, string | null>; rows: CustomRow[] }> {
  const groups = new Map<string, { values: Record<string, string | null>; rows: CustomRow[] }>();
  for (const r of rows) {
    const date = utcDate(r.eventTime ?? r.ingestTime);
    const key = `${r.source}\u0001${r.dataType}\u0001${date}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { values: { source: r.source, data_type: r.dataType, date }, rows: [] }));
    g.rows.push(r);
  }
  return groups;
}

function toBatch(dataColumns: ColumnSpec[], rows: CustomRow[]): { numRows: number; columns: Map<string, unknown[]> } {
  const columns = new Map<string, unknown[]>();
  for (const c of dataColumns) {
    switch (c.name) {
      case "_seq":
        columns.set(c.name, rows.map((r) => r.seq));
        break;
      case "_ingest_time":
        columns.set(c.name, rows.map((r) => r.ingestTime));
        break;
      case "_event_time":
        columns.set(c.name, rows.map((r) => r.eventTime));
        break;
      default:
        columns.set(c.name, rows.map((r) => r.values.get(c.name)?.value ?? null));
    }
  }
  return { numRows: rows.length, columns };
}
