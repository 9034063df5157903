/** Uploads from the Data page: what the browser asks for, and what it is told back. */
import { z } from "zod";

export const UPLOAD_KINDS = ["binance-trades", "custom-jsonl", "custom-csv"] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

/** Largest chunk one PUT may carry. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
/** Largest file (a month of BTCUSDT trades is about 1.5 GB zipped). */
export const UPLOAD_MAX_BYTES = 16 * 1024 ** 3;

const name = z.string().min(1).max(255);
const ident = z.string().regex(/^[a-z0-9_]{1,32}$/, "1-32 characters of a-z, 0-9 and _");

export const uploadRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("binance-trades"), name, size: z.number().int().min(0).max(UPLOAD_MAX_BYTES), symbol: z.string().regex(/^[A-Z0-9]{2,30}$/, "an upper-case Binance symbol such as BTCUSDT") }),
  z.object({ kind: z.enum(["custom-jsonl", "custom-csv"]), name, size: z.number().int().min(0).max(UPLOAD_MAX_BYTES), source: ident, dataType: ident }),
]);
export type UploadRequest = z.infer<typeof uploadRequestSchema>;

export type UploadPhase = "uploading" | "queued" | "checking" | "importing" | "done" | "failed";

export interface UploadProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  rowsPerSecond: number;
  /** Seconds left, from the share of bytes read; null before any. */
  etaSeconds: number | null;
}

export interface UploadResult {
  rows: number;
  /** Records that entered the log for the first time. */
  accepted: number;
  /** Trades the log already held (the same trade-id de-duplication as live ingest), or custom messages it already had. */
  duplicates: number;
  invalid: number;
  firstErrors: { line: number; message: string }[];
  /** Whether the refused rows can be downloaded (GET …/rejects). */
  rejectFile: boolean;
  /** An end-of-stream mark was logged: the symbol's last windows closed. */
  endOfStream: boolean;
  seconds: number;
}

export interface UploadStatus {
  id: string;
  name: string;
  kind: UploadKind;
  /** The symbol, or `<source>.<data_type>`. */
  target: string;
  size: number;
  received: number;
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
