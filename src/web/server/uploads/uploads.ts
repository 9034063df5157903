/**
 * Uploads in progress and done: each file is staged on disk as its chunks arrive (appended at the
 * offset the server holds, so a dropped connection resumes where the bytes stopped), then queued
 * for import; one import runs at a time. Memory stays bounded whatever the file size: chunks are
 * streamed to disk, and the import streams the file. Upload state lives in memory: a restart of
 * the node forgets unfinished uploads (their staged files are removed at start).
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { namedError } from "../../../runtime/named-error.js";
import { runFileImport, type ImportDeps } from "../../../imports/file-import.js";
import { importRates, type ImportProgress } from "../../../ingest/import-file.js";
import { UPLOAD_CHUNK_BYTES, type UploadProgress, type UploadRequest, type UploadStatus } from "./types.js";

export class UploadNotFound extends namedError("UploadNotFound", { retryable: false }) {}
/** The chunk does not start where the server's copy ends (`received`): resume from there. */
export class UploadOffsetMismatch extends namedError("UploadOffsetMismatch", { retryable: true }) {
  constructor(readonly received: number) {
    super(`this upload holds ${received} bytes: send the chunk at offset ${received}`);
  }
}
export class UploadRefused extends namedError("UploadRefused", { retryable: false }) {}
export class UploadChunkTooLarge extends namedError("UploadChunkTooLarge", { retryable: false }) {}

export interface UploadsOptions extends ImportDeps {
  /** Staging directory (DATA_DIR/uploads). */
  dir: string;
  /** The largest chunk a PUT may carry. Default UPLOAD_CHUNK_BYTES. */
  chunkBytes?: number;
  /** Finished uploads are forgotten (and their files removed) after this long. Default 1 h. */
  keepMs?: number;
  /** Told when an import ends, for the audit trail. */
  onFinished?: (status: UploadStatus) => void;
}

interface Entry {
  status: UploadStatus;
  request: UploadRequest;
  writing: boolean;
}

export class Uploads {
  #o: UploadsOptions;
  #entries = new Map<string, Entry>();
  #queue: Entry[] = [];
  /** The imports' loop while it runs. */
  #draining: Promise<void> | null = null;
  #closed = false;

  constructor(options: UploadsOptions) {
    this.#o = options;
    rmSync(options.dir, { recursive: true, force: true });
    mkdirSync(options.dir, { recursive: true });
  }

  create(request: UploadRequest, by: string): UploadStatus {
    if (this.#closed) throw new UploadRefused("the server is stopping");
    this.#sweep();
    const id = randomUUID();
    mkdirSync(this.#dirOf(id));
    writeFileSync(this.#fileOf(id), "");
    const target = "symbol" in request ? request.symbol : `${request.source}.${request.dataType}`;
    const status: UploadStatus = { id, name: request.name, kind: request.kind, target, size: request.size, received: 0, chunkBytes: this.#o.chunkBytes ?? UPLOAD_CHUNK_BYTES, phase: "uploading", progress: null, result: null, error: null, by, createdAt: Date.now() };
    const entry: Entry = { status, request, writing: false };
    this.#entries.set(id, entry);
    // A 0-byte file has nothing to wait for: its import refuses it with the reason.
    if (request.size === 0) this.#enqueue(entry);
    return { ...status };
  }

  status(id: string): UploadStatus {
    return { ...this.#entry(id).status };
  }

  list(): UploadStatus[] {
    return [...this.#entries.values()].map((e) => ({ ...e.status })).sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Appends one chunk at `offset`. What arrives before the connection drops is kept: the next
   * chunk starts at `received`. A chunk past the declared size or over UPLOAD_CHUNK_BYTES is refused.
   */
  async append(id: string, offset: number, body: Readable): Promise<UploadStatus> {
    const entry = this.#entry(id);
    const s = entry.status;
    if (s.phase !== "uploading") throw new UploadRefused(`this upload is ${s.phase}: it takes no more bytes`);
    if (entry.writing) throw new UploadOffsetMismatch(s.received);
    if (offset !== s.received) throw new UploadOffsetMismatch(s.received);
    entry.writing = true;
    const path = this.#fileOf(id);
    const limit = Math.min(s.chunkBytes, s.size - s.received);
    let seen = 0;
    const bound = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > limit) done(new UploadChunkTooLarge(`a chunk holds at most ${limit} bytes here (${s.chunkBytes} per chunk, ${s.size - s.received} left of the file)`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, bound, createWriteStream(path, { flags: "r+", start: s.received }));
    } catch (err) {
      // Whatever reached the disk counts; a refused (oversized) chunk counts for nothing.
      if (err instanceof UploadChunkTooLarge) {
        truncate(path, s.received);
        throw err;
      }
    } finally {
      entry.writing = false;
      s.received = sizeOf(path, s.received + limit);
    }
    if (s.received === s.size) this.#enqueue(entry);
    return { ...s };
  }

  rejectsPath(id: string): string {
    const s = this.#entry(id).status;
    if (!s.result?.rejectFile) throw new UploadNotFound(`upload ${id} has no refused rows`);
    return join(this.#dirOf(id), "rejects.csv");
  }

  /** Waits for the running import (if any), then forgets every upload. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue = [];
    await this.#draining;
    rmSync(this.#o.dir, { recursive: true, force: true });
  }

  #enqueue(entry: Entry): void {
    entry.status.phase = "queued";
    this.#queue.push(entry);
    this.#draining ??= this.#drain();
  }

  /**
   * One import at a time, until the queue is empty. `#draining` is cleared right after the last
   * look at the queue, with no await between, so an upload queued at any moment is either seen by
   * this loop or starts the next one.
   */
  async #drain(): Promise<void> {
    await null; // `#draining` is assigned before the loop can end
    try {
      for (let next = this.#queue.shift(); next !== undefined && !this.#closed; next = this.#queue.shift()) await this.#import(next);
    } finally {
      this.#draining = null;
    }
  }

  async #import(entry: Entry): Promise<void> {
    const s = entry.status;
    const id = s.id;
    s.phase = "checking";
    try {
      s.result = await runFileImport({ path: this.#fileOf(id), request: entry.request, rejectsPath: join(this.#dirOf(id), "rejects.csv") }, this.#o, (phase, progress) => {
        s.phase = phase;
        s.progress = progressOf(progress);
      });
      s.phase = "done";
      if (s.progress) s.progress = { ...s.progress, bytesRead: s.progress.totalBytes, etaSeconds: 0 };
    } catch (err) {
      s.phase = "failed";
      s.error = err instanceof Error ? err.message.replace(this.#fileOf(id), s.name) : String(err);
    }
    rmSync(this.#fileOf(id), { force: true });
    this.#o.onFinished?.({ ...s });
  }

  /** Forgets finished uploads older than keepMs, and their files. */
  #sweep(): void {
    const keep = this.#o.keepMs ?? 3_600_000;
    const now = Date.now();
    for (const [id, e] of this.#entries) {
      const finished = e.status.phase === "done" || e.status.phase === "failed";
      const stale = e.status.phase === "uploading" && !e.writing && now - e.status.createdAt > 24 * keep;
      if ((finished && now - e.status.createdAt > keep) || stale) {
        this.#entries.delete(id);
        rmSync(this.#dirOf(id), { recursive: true, force: true });
      }
    }
  }

  #entry(id: string): Entry {
    const e = this.#entries.get(id);
    if (!e) throw new UploadNotFound(`no upload ${id} (finished uploads are kept for an hour)`);
    return e;
  }

  #dirOf(id: string): string {
    return join(this.#o.dir, id);
  }

  #fileOf(id: string): string {
    return join(this.#dirOf(id), "file");
  }
}

/** What the page shows of an import's progress. */
function progressOf(p: ImportProgress): UploadProgress {
  const { share, rowsPerSecond, etaSeconds } = importRates(p);
  return { bytesRead: p.bytesRead, totalBytes: p.totalBytes, rows: p.rows, rowsPerSecond, etaSeconds: share > 0 ? etaSeconds : null };
}

function sizeOf(path: string, atMost: number): number {
  try {
    return Math.min(statSync(path).size, atMost);
  } catch {
    return 0;
  }
}

function truncate(path: string, size: number): void {
  try {
    truncateSync(path, size);
  } catch {
    /* nothing written */
  }
}
