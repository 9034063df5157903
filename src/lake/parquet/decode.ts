import { parquetMetadata, parquetReadObjects } from "hyparquet";

export type Row = Record<string, unknown>;

const DAY_MS = 86_400_000;

/** Timestamps become ms-since-epoch numbers and dates "YYYY-MM-DD", matching what the writer takes. */
const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n),
  dateFromDays: (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10),
};

/**
 * Reads every row of a Parquet file; INT64 values become numbers (our ids and times fit in 2^53).
 * Asked columns the file does not have — written before a schema change added them — come back
 * as null, as Delta readers do for nullable columns added later.
 */
export async function decodeParquet(bytes: Uint8Array, columns?: string[]): Promise<Row[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let read = columns;
  let absent: string[] = [];
  if (columns) {
    const metadata = parquetMetadata(file);
    const present = new Set(metadata.schema.slice(1).map((e) => e.name));
    read = columns.filter((c) => present.has(c));
    absent = columns.filter((c) => !present.has(c));
    if (read.length === 0) return Array.from({ length: Number(metadata.num_rows) }, () => Object.fromEntries(absent.map((c) => [c, null])));
  }
  const rows = (await parquetReadObjects({ file, columns: read, parsers, rowFormat: "object" })) as Row[];
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (typeof v === "bigint") row[k] = Number(v);
    }
    for (const c of absent) row[c] = null;
  }
  return rows;
}

export function parquetRowCount(bytes: Uint8Array): number {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return Number(parquetMetadata(file).num_rows);
}
