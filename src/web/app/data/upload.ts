/**
 * The browser side of an upload (see src/web/server/uploads): the file goes up in chunks; when a
 * chunk fails (the connection dropped, the server restarted its socket), the client waits, asks
 * the server how many bytes it holds and goes on from there. Then it follows the import until
 * it is done or failed.
 */
import type { UploadRequest, UploadStatus } from "../../server/uploads/types.js";

export type { UploadStatus };
export type UploadMeta = { kind: "binance-trades" | "binance-klines"; symbol: string } | { kind: "custom-jsonl" | "custom-csv"; source: string; dataType: string };

const BASE = "/api/uploads";

/** Sending stopped after `retries` failures in a row; `resume` goes on from the server's count. */
export class UploadInterrupted extends Error {
  override name = "UploadInterrupted";
  constructor(readonly id: string, cause: unknown) {
    super(`the upload was interrupted (${cause instanceof Error ? cause.message : String(cause)}): resume it to send the rest`);
  }
}

export interface UploadOptions {
  onStatus(status: UploadStatus): void;
  /** Failed chunks in a row before giving up (default 8, with waits of 0.5 s to 8 s). */
  retries?: number;
  pollMs?: number;
}

async function reply<T>(r: Response): Promise<T> {
  const body = (await r.json().catch(() => ({}))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `the server answered ${r.status}`);
  return body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The file's symbol and kind from its data.binance.vision name (`BTCUSDT-trades-2024-08.zip`, `BTCUSDT-1m-2024-08-08.zip`), if any. */
export function binanceFileName(name: string): { symbol: string; kind: "binance-trades" | "binance-klines" } | null {
  const trades = /^([A-Za-z0-9]+)-trades-/.exec(name);
  if (trades) return { symbol: trades[1]!.toUpperCase(), kind: "binance-trades" };
  const klines = /^([A-Za-z0-9]+)-\d+[smhdwM]-\d{4}-\d{2}/.exec(name);
  return klines ? { symbol: klines[1]!.toUpperCase(), kind: "binance-klines" } : null;
}

export async function startUpload(file: File, meta: UploadMeta, o: UploadOptions): Promise<UploadStatus> {
  const request: UploadRequest = { ...meta, name: file.name, size: file.size } as UploadRequest;
  const created = await reply<UploadStatus>(await fetch(BASE, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) }));
  o.onStatus(created);
  return resumeUpload(created.id, file, o);
}

/** Sends what the server does not hold yet, then follows the import to its end. */
export async function resumeUpload(id: string, file: File, o: UploadOptions): Promise<UploadStatus> {
  const retries = o.retries ?? 8;
  let status = await reply<UploadStatus>(await fetch(`${BASE}/${id}`));
  let failures = 0;
  while (status.phase === "uploading" && status.received < status.size) {
    const offset = status.received;
    let r: Response;
    try {
      r = await fetch(`${BASE}/${id}?offset=${offset}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: file.slice(offset, offset + status.chunkBytes) });
    } catch (err) {
      // The connection failed: some of the chunk may have arrived. Ask, then go on from there.
      if (++failures > retries) throw new UploadInterrupted(id, err);
      await sleep(Math.min(8_000, 250 * 2 ** failures));
      status = await fetch(`${BASE}/${id}`).then((g) => reply<UploadStatus>(g), () => status);
      o.onStatus(status);
      continue;
    }
    if (r.status === 409) {
      // Another tab or an earlier attempt moved the upload on: start where the server is.
      status = { ...status, received: ((await r.json()) as { received: number }).received };
      continue;
    }
    status = await reply<UploadStatus>(r);
    failures = 0;
    o.onStatus(status);
  }
  while (status.phase !== "done" && status.phase !== "failed") {
    await sleep(o.pollMs ?? 400);
    try {
      status = await reply<UploadStatus>(await fetch(`${BASE}/${id}`));
      o.onStatus(status);
    } catch (err) {
      if (++failures > retries) throw err;
    }
  }
  return status;
}

/** "42 %": the upload's share while sending, then the import's share of the file read. */
export function shareOf(s: UploadStatus): number {
  if (s.phase === "uploading") return s.size > 0 ? s.received / s.size : 0;
  if (s.phase === "done") return 1;
  const p = s.progress;
  return p && p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
}
