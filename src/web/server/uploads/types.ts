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
