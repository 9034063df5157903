import { randomUUID } from "node:crypto";

/** Hive-style escaping of a partition value in a directory name (as Spark does). */
export function escapePartitionValue(v: string | null): string {
  if (v === null || v === "") return "__HIVE_DEFAULT_PARTITION__";
  return v.replace(/[^A-Za-z0-9_.\-]/g, (ch) => "%" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
}

/** Relative directory of a partition: `source=binance/symbol=BTCUSDT/date=2024-08-08`. */
export function partitionDir(partitionColumns: string[], values: Record<string, string | null>): string {
  return partitionColumns.map((c) => `${c}=${escapePartitionValue(values[c] ?? null)}`).join("/");
}

/** A new data file's storage key and the URI-encoded path the log records for it. */
export function newDataFile(partitionColumns: string[], values: Record<string, string | null>): { key: string; path: string } {
  const dir = partitionDir(partitionColumns, values);
  const name = `part-00000-${randomUUID()}-c000.snappy.parquet`;
  const key = dir ? `${dir}/${name}` : name;
  return { key, path: key.split("/").map(encodeURIComponent).join("/") };
}

/** Storage key of a path found in the log (log paths are relative URIs). */
export function keyOfPath(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) throw new Error(`absolute data file paths are not supported: ${path}`);
  return path.split("/").map((s) => decodeURIComponent(s)).join("/");
}
