import { LakeConcurrentModification } from "../errors.js";
import type { Action, AddFile } from "../delta/actions.js";
import type { TableSchema } from "../delta/schema.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { DeltaTable } from "../table/table.js";
import { systemClock, type Clock } from "../../runtime/clock.js";
import { OneAtATime } from "../../runtime/one-at-a-time.js";

/** Longest stretch of Parquet encoding in one event-loop turn while a commit writes its files. */
export const ENCODE_SLICE_MS = 8;

/** How a record type maps onto a table: its partition and its columns. */
export interface RecordMapping<R> {
  schema: TableSchema;
  /** Partition values of one record (strings, as Delta stores them). */
  partitionOf(record: R): Record<string, string | null>;
  /** Data columns (partition columns excluded) of a group of records. */
  toColumns(records: R[]): ColumnarBatch;
}

export interface LakeWriterOptions<R> {
  table: DeltaTable;
  mapping: RecordMapping<R>;
  /** Delta `txn.appId`: one per logical writer (e.g. "bronze-trades:TRADES:lake-bronze"). */
  appId: string;
  /** Flush once this many rows are buffered. */
  maxRows?: number;
  /** Flush once the oldest buffered row is this old, so data is visible within a few seconds. */
  maxAgeMs?: number;
  /**
   * Files one flush may write before the writer slows down: a flush writes a file per partition,
   * so at 1,000 symbols a flush every `maxAgeMs` would write 1,000 tiny files every 2 s. When the
   * last flush wrote F files, the next waits `maxAgeMs × F / maxFilesPerFlush` (at least
   * `maxAgeMs`, at most `maxDelayMs`), which keeps the file rate near `maxFilesPerFlush` per
   * `maxAgeMs` whatever the number of partitions.
   */
  maxFilesPerFlush?: number;
  /** The longest a row waits for its flush when there are many partitions (`maxRows` still flushes sooner). */
  maxDelayMs?: number;
  clock?: Clock;
  /** Crash-injection points for tests: called between the steps of a flush. */
  hooks?: { afterFilesWritten?(): void | Promise<void>; afterCommit?(): void | Promise<void> };
}

export interface FlushResult {
  version: number;
  lastLogSeq: number;
  rows: number;
  files: number;
}

export const DEFAULT_MAX_ROWS = 50_000;
export const DEFAULT_MAX_AGE_MS = 2_000;
export const DEFAULT_MAX_FILES_PER_FLUSH = 64;
export const DEFAULT_MAX_DELAY_MS = 60_000;

/**
 * Pure: how old the oldest buffered row may get before a flush, given how many files the last
 * flush wrote: `maxAgeMs` for a few partitions, longer in proportion for many, capped at
 * `maxDelayMs`.
 */
export function flushDelayMs(lastFlushFiles: number, o: { maxAgeMs: number; maxFilesPerFlush: number; maxDelayMs: number }): number {
  const scaled = o.maxAgeMs * Math.max(1, lastFlushFiles / o.maxFilesPerFlush);
  return Math.max(o.maxAgeMs, Math.min(o.maxDelayMs, scaled));
}

interface PendingBatch<R> {
  seq: number;
  records: R[];
}

interface Taken<R> {
  batches: PendingBatch<R>[];
  firstAddedAt: number | undefined;
}

/**
 * Buffers records tagged with their log sequence and commits them as Parquet files plus one
 * Delta version carrying `txn {appId, version: lastLogSeq}`. Because the txn is in the same
 * atomic commit as the files, the table itself says what is already stored: after a crash,
 * `lastCommittedSeq()` tells the consumer where to resume, and nothing is written twice.
 */
export class LakeWriter<R> {
  readonly appId: string;
  readonly maxRows: number;
  readonly maxAgeMs: number;
  readonly maxFilesPerFlush: number;
  readonly maxDelayMs: number;
  readonly #table: DeltaTable;
  readonly #mapping: RecordMapping<R>;
  readonly #clock: Clock;
  readonly #hooks: NonNullable<LakeWriterOptions<R>["hooks"]>;
  #pending: PendingBatch<R>[] = [];
  #pendingRows = 0;
  #firstAddedAt: number | undefined;
  #lastAddedSeq = -1;
  #lastFlushFiles = 0;
  readonly #flushes = new OneAtATime();

  constructor(options: LakeWriterOptions<R>) {
    this.#table = options.table;
    this.#mapping = options.mapping;
    this.appId = options.appId;
    this.maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.maxFilesPerFlush = options.maxFilesPerFlush ?? DEFAULT_MAX_FILES_PER_FLUSH;
    this.maxDelayMs = options.maxDelayMs ?? Math.max(DEFAULT_MAX_DELAY_MS, this.maxAgeMs);
    this.#clock = options.clock ?? systemClock;
    this.#hooks = options.hooks ?? {};
    if (!(this.maxRows >= 1)) throw new RangeError(`maxRows must be >= 1 (got ${this.maxRows})`);
    if (!(this.maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be >= 0 (got ${this.maxAgeMs})`);
    if (!(this.maxFilesPerFlush >= 1)) throw new RangeError(`maxFilesPerFlush must be >= 1 (got ${this.maxFilesPerFlush})`);
    if (!(this.maxDelayMs >= this.maxAgeMs)) throw new RangeError(`maxDelayMs must be >= maxAgeMs (got ${this.maxDelayMs})`);
  }

  get pendingRows(): number {
    return this.#pendingRows;
  }

  /** Log entries buffered and not yet taken by a flush (an entry may hold no rows). */
  get pendingBatches(): number {
    return this.#pending.length;
  }

  /** Resolves once no flush is in flight (whatever the last one ended in). */
  idle(): Promise<void> {
    return this.#flushes.idle();
  }

  /** Highest log sequence handed to `add` (committed or not); -1 when none. */
  get lastAddedSeq(): number {
    return this.#lastAddedSeq;
  }

  /** The last log sequence the table holds for this writer's appId, or -1. */
  async lastCommittedSeq(): Promise<number> {
    const s = await this.#table.snapshot();
    return s.txns.get(this.appId) ?? -1;
  }

  /** Buffers records that came from log entries up to `lastLogSeq` (sequences must grow). */
  add(records: R[], lastLogSeq: number): void {
    if (lastLogSeq <= this.#lastAddedSeq) {
      throw new RangeError(`log sequence ${lastLogSeq} is not after ${this.#lastAddedSeq}: the consumer must skip redeliveries`);
    }
    this.#lastAddedSeq = lastLogSeq;
    this.#pending.push({ seq: lastLogSeq, records });
    this.#pendingRows += records.length;
    this.#firstAddedAt ??= this.#clock.now();
  }

  isDue(now: number): boolean {
    if (this.#pending.length === 0) return false;
    return this.#pendingRows >= this.maxRows || now - (this.#firstAddedAt ?? now) >= this.flushDelayMs;
  }

  /** How old the oldest buffered row may get now (see `maxFilesPerFlush`). */
  get flushDelayMs(): number {
    return flushDelayMs(this.#lastFlushFiles, this);
  }

  async flushIfDue(now: number = this.#clock.now()): Promise<FlushResult | undefined> {
    return this.isDue(now) ? this.flush() : undefined;
  }

  /**
   * Commits everything buffered when it is called. Flushes run one at a time, in call order, and
   * each one takes the buffer before its first `await`: records added while files are written or
   * the commit is in flight go to the next flush, and the txn names exactly the newest sequence
   * written. On failure the taken batches go back in front of the buffer (files already written
   * become orphans that vacuum removes) and the caller retries later. Undefined when nothing was
   * buffered; otherwise every log entry up to `lastLogSeq` is in the table and may be acknowledged.
   */
  flush(): Promise<FlushResult | undefined> {
    // Idle: the buffer is taken now, in this call. Busy: when the flush in flight is done.
    return this.#flushes.run(() => this.#flushTaken());
  }

  async #flushTaken(): Promise<FlushResult | undefined> {
    if (this.#pending.length === 0) return undefined;
    const taken = this.#take();
    try {
      return await this.#commit(taken.batches);
    } catch (err) {
      this.#giveBack(taken);
      throw err;
    }
  }

  /** Swaps the buffer out synchronously: what `add` appends from now on belongs to the next flush. */
  #take(): Taken<R> {
    const taken = { batches: this.#pending, firstAddedAt: this.#firstAddedAt };
    this.#pending = [];
    this.#pendingRows = 0;
    this.#firstAddedAt = undefined;
    return taken;
  }

  /** A failed flush: its batches precede everything added since, and keep their age. */
  #giveBack(taken: Taken<R>): void {
    this.#pending = taken.batches.concat(this.#pending);
    this.#pendingRows = this.#pending.reduce((n, b) => n + b.records.length, 0);
    this.#firstAddedAt = taken.firstAddedAt ?? this.#firstAddedAt;
  }

  async #commit(batches: readonly PendingBatch<R>[]): Promise<FlushResult> {
    const lastSeq = batches[batches.length - 1]!.seq;
    const before = await this.#table.snapshot();
    const already = before.txns.get(this.appId) ?? -1;
    // Skip what the table already holds (a previous incarnation, or our own commit whose reply was lost).
    const fresh = batches.filter((b) => b.seq > already);
    if (fresh.length === 0) return { version: before.version, lastLogSeq: lastSeq, rows: 0, files: 0 };
    const adds = await this.#writeFiles(fresh.flatMap((b) => b.records));
    await this.#hooks.afterFilesWritten?.();
    const rows = fresh.reduce((n, b) => n + b.records.length, 0);
    const version = await this.#table.commitWith(
      (s) => {
        // Another incarnation with our appId committed meanwhile: our files may overlap it.
        if ((s.txns.get(this.appId) ?? -1) !== already) {
          throw new LakeConcurrentModification(`${this.appId}: another writer committed under the same appId`);
        }
        const actions: Action[] = adds.map((add) => ({ type: "add", add }));
        actions.push({ type: "txn", txn: { appId: this.appId, version: lastSeq, lastUpdated: this.#clock.now() } });
        return actions;
      },
      { operation: "WRITE", operationParameters: { mode: "Append", appId: this.appId, lastLogSeq: lastSeq, rows } },
    );
    await this.#hooks.afterCommit?.();
    this.#lastFlushFiles = adds.length;
    return { version: version ?? before.version, lastLogSeq: lastSeq, rows, files: adds.length };
  }

  async #writeFiles(records: R[]): Promise<AddFile[]> {
    const { schema } = this.#mapping;
    const groups = new Map<string, { values: Record<string, string | null>; records: R[] }>();
    for (const r of records) {
      const values = this.#mapping.partitionOf(r);
      const key = schema.partitionColumns.map((c) => values[c] ?? "\u0000").join("\u0001");
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { values, records: [] }));
      g.records.push(r);
    }
    // One file per partition, each encoded synchronously before its upload starts: at 5,000
    // symbols a commit is 5,000 files, and encoding them in one go held the event loop for 1.3 to
    // 2.6 s a commit (lease renewals and NATS replies waited; leases were lost). So the encoding
    // gives the loop a turn every ENCODE_SLICE_MS; the uploads still run side by side.
    const writes: Promise<AddFile>[] = [];
    let slice = performance.now();
    for (const g of groups.values()) {
      const write = this.#table.writeDataFile(schema, g.values, this.#mapping.toColumns(g.records));
      write.catch(() => {}); // rejections are Promise.all's below; none is unhandled while we yield
      writes.push(write);
      if (performance.now() - slice >= ENCODE_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    return Promise.all(writes);
  }
}
