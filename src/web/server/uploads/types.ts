/** Uploads from the Data page: what the browser asks for, and what it is told back. */
import type { ImportResult } from "../../../imports/file-import.js";
export const UPLOAD_KINDS = ["binance-trades", "binance-klines", "custom-jsonl", "custom-csv"] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** Largest chunk one PUT may carry, unless the server is told otherwise (UPLOAD_CHUNK). */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
/** Largest file: 16 GiB. */
export const UPLOAD_MAX_BYTES = 16 * 1024 ** 3;

/** What POST /api/uploads takes (checked by request.ts): what to import, and the file's size. */
export type UploadRequest =
  | { kind: "binance-trades" | "binance-klines"; name: string; size: number; symbol: string }
  | { kind: "custom-jsonl" | "custom-csv"; name: string; size: number; source: string; dataType: string };

export type UploadPhase = "uploading" | "queued" | "checking" | "importing" | "done" | "failed";

export interface UploadProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  rowsPerSecond: number;
  /** Seconds left, from the share of bytes read; null before any. */
  etaSeconds: number | null;
}

/** The import's outcome (src/imports/file-import.ts). */
export type UploadResult = ImportResult;

export interface UploadStatus {
  id: string;
  name: string;
  kind: UploadKind;
  /** The symbol, or `<source>.<data_type>`. */
  target: string;
  size: number;
  received: number;
  /** The largest chunk the server takes: the client sends chunks of this size. */
  chunkBytes: number;
  phase: UploadPhase;
  progress: UploadProgress | null;
  result: UploadResult | null;
  error: string | null;
  by: string;
  createdAt: number;
}

/** Rows per second and the time left, from what an import read so far. */
export function progressOf(p: { bytesRead: number; totalBytes: number; rows: number; elapsedMs: number }): UploadProgress {
  const seconds = p.elapsedMs / 1000;
  const share = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
  return {
    bytesRead: p.bytesRead,
    totalBytes: p.totalBytes,
    rows: p.rows,
    rowsPerSecond: seconds > 0 ? p.rows / seconds : 0,
    etaSeconds: share <= 0 ? null : share >= 1 ? 0 : (seconds * (1 - share)) / share,
  };
}
