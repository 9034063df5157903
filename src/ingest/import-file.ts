/**
 * The text lines of a file to import, whatever Binance published it as: a plain CSV, the same
 * gzipped (`.gz`), or zipped (`.zip`, as data.binance.vision serves its daily and monthly files).
 * The format is told by the file's first bytes, not its name. Memory stays bounded whatever the size:
 * the file is streamed, a zip entry is inflated as it is read (its place and size come from the
 * zip's central directory, so entries written with data descriptors read as well).
 *
 * Every problem is an ImportFileError naming what is wrong: an empty file, a zip without an end of
 * central directory or without a CSV/JSON Lines entry, corrupt compressed data, text that is not
 * UTF-8 (with the byte offset).
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip, createInflateRaw } from "node:zlib";
import { Transform, type Readable } from "node:stream";
import { namedError } from "../runtime/named-error.js";

export class ImportFileError extends namedError("ImportFileError", { retryable: false }) {}

export type ImportFormat = "text" | "gzip" | "zip";

export interface ImportFile {
  format: ImportFormat;
  /** The file's size on disk: what `bytesRead` counts up to. */
  totalBytes: number;
  /** Bytes of the file read so far (compressed bytes for gzip and zip). */
  bytesRead(): number;
  /** The lines, without their line ends ("\n" or "\r\n"). */
  lines(): AsyncIterable<string>;
}

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;

export async function openImportFile(path: string): Promise<ImportFile> {
  const size = (await stat(path)).size;
  if (size === 0) throw new ImportFileError(`${path} is empty (0 bytes)`);
  const head = await readAt(path, 0, Math.min(4, size));
  const format: ImportFormat = head[0] === 0x1f && head[1] === 0x8b ? "gzip" : size >= 4 && head.readUInt32LE(0) === ZIP_LOCAL ? "zip" : "text";
  let read = 0;
  // Counts the file's bytes as they pass, without taking the stream's data from its reader.
  const counted = (stream: Readable): Readable =>
    through(
      stream,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length;
          done(null, chunk);
        },
      }),
    );
  const parts: () => Promise<Readable[]> = async () => {
    if (format === "text") return [counted(createReadStream(path))];
    if (format === "gzip") return [through(counted(createReadStream(path)), createGunzip())];
    return (await zipEntries(path, size)).map((e) => {
      const raw = counted(createReadStream(path, { start: e.dataStart, end: e.dataStart + e.compressedSize - 1 }));
      return e.method === 0 ? raw : through(raw, createInflateRaw());
    });
  };
  async function* lines(): AsyncGenerator<string> {
    yield* linesOf(path, format, parts);
    read = size; // headers and the central directory are not counted as they pass: done is all of it
  }
  return { format, totalBytes: size, bytesRead: () => read, lines };
}

/** `from.pipe(to)`, passing an error of `from` on to `to` (pipe() does not: its reader would wait forever). */
function through<T extends Transform>(from: Readable, to: T): T {
  from.on("error", (err) => to.destroy(err));
  return from.pipe(to);
}

async function* linesOf(path: string, format: ImportFormat, parts: () => Promise<Readable[]>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  let rest = "";
  const decode = (chunk: Uint8Array | undefined, stream: boolean): string => {
    try {
      return decoder.decode(chunk, { stream });
    } catch {
      throw new ImportFileError(`${path} is not UTF-8 text (an invalid byte sequence within the ${format === "text" ? "" : "decompressed "}bytes ${offset}–${offset + (chunk?.length ?? 0)})`);
    }
  };
  for (const part of await parts()) {
    try {
      for await (const chunk of part as AsyncIterable<Buffer>) {
        const text = rest + decode(chunk, true);
        offset += chunk.length;
        const lines = text.split("\n");
        rest = lines.pop()!;
        for (const l of lines) yield l.endsWith("\r") ? l.slice(0, -1) : l;
      }
    } catch (err) {
      if (err instanceof ImportFileError) throw err;
      throw new ImportFileError(`${path}: the ${format} data is corrupt (${(err as Error).message})`, { cause: err });
    }
    rest += decode(undefined, false);
    if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
    rest = "";
  }
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  dataStart: number;
}

/** The zip's CSV and JSON Lines entries in directory order, from its central directory. */
async function zipEntries(path: string, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + 65_535);
  const tail = await readAt(path, size - tailLength, tailLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === ZIP_END) {
    end = i;
    break;
  }
  if (end < 0) throw new ImportFileError(`${path} is not a readable zip: no end of central directory (a truncated or broken download?)`);
  const count = tail.readUInt16LE(end + 10);
  const dirSize = tail.readUInt32LE(end + 12);
  const dirStart = tail.readUInt32LE(end + 16);
  if (dirStart + dirSize > size) throw new ImportFileError(`${path} is not a readable zip: its central directory lies past the end of the file`);
  const dir = await readAt(path, dirStart, dirSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > dir.length || dir.readUInt32LE(at) !== ZIP_CENTRAL) throw new ImportFileError(`${path} is not a readable zip: entry ${k + 1} of its central directory is broken`);
    const method = dir.readUInt16LE(at + 10);
    const compressedSize = dir.readUInt32LE(at + 20);
    const nameLength = dir.readUInt16LE(at + 28);
    const extraLength = dir.readUInt16LE(at + 30);
    const commentLength = dir.readUInt16LE(at + 32);
    const localStart = dir.readUInt32LE(at + 42);
    const name = dir.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith("/") || !/\.(csv|jsonl|json|txt)$/i.test(name)) continue;
    if (method !== 0 && method !== 8) throw new ImportFileError(`${path}: entry ${name} uses compression method ${method}; only stored (0) and deflate (8) are read`);
    const local = await readAt(path, localStart, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== ZIP_LOCAL) throw new ImportFileError(`${path} is not a readable zip: the local header of ${name} is broken`);
    const dataStart = localStart + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataStart + compressedSize > size) throw new ImportFileError(`${path} is not a readable zip: ${name} runs past the end of the file (truncated?)`);
    entries.push({ name, method, compressedSize, dataStart });
  }
  if (entries.length === 0) throw new ImportFileError(`${path}: the zip holds no .csv or .jsonl file`);
  return entries;
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  elapsedMs: number;
}

/**
 * Reports an import's progress: `tick()` after each row calls `report` at most every `everyMs`,
 * `done()` once more at the end. `counts()` gives the importer's own figures (rows at least).
 */
export function progressReporter<C extends { rows: number }>(
  file: ImportFile,
  counts: () => C,
  report: ((p: ImportProgress & C & { format: ImportFormat }) => void) | undefined,
  options: { everyMs?: number; now?: () => number } = {},
): { tick(): void; done(): void } {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 1000;
  const started = now();
  let reported = started;
  const send = () => report?.({ ...counts(), format: file.format, bytesRead: file.bytesRead(), totalBytes: file.totalBytes, elapsedMs: now() - started });
  return {
    tick() {
      if (now() - reported < everyMs) return;
      reported = now();
      send();
    },
    done: send,
  };
}

/** The share of the file read, rows per second, and the seconds left from that share (0 once done). */
export function importRates(p: ImportProgress): { share: number; rowsPerSecond: number; etaSeconds: number } {
  const share = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
  const seconds = p.elapsedMs / 1000;
  return { share, rowsPerSecond: seconds > 0 ? p.rows / seconds : 0, etaSeconds: share > 0 && share < 1 ? (seconds * (1 - share)) / share : 0 };
}

/** "42 % · 12.3 of 29.1 MB · 1,234,567 rows · 250,000 rows/s · ETA 7 s" (ETA from the share of bytes read). */
export function formatImportProgress(p: ImportProgress): string {
  const { share, rowsPerSecond: rate, etaSeconds: eta } = importRates(p);
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return `${Math.floor(share * 100)} % · ${mb(p.bytesRead)} of ${mb(p.totalBytes)} MB · ${p.rows.toLocaleString("en-US")} rows · ${Math.round(rate).toLocaleString("en-US")} rows/s · ETA ${share >= 1 ? "0 s" : formatEta(eta)}`;
}

function formatEta(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
