/**
 * A file of a custom source's records into the CUSTOM log: JSON Lines (one JSON record per line) or
 * CSV (a header row names the fields; numbers and true/false are read as such, empty cells are
 * left out), plain, gzipped or zipped (src/ingest/import-file.ts opens it).
 *
 * Records are published on `ingest.<source>.<data_type>`, packed as the HTTP gateway packs them (up
 * to 1,000 per message): from there on they are treated like any NATS client's records. The router
 * checks each one, routes it to its lake table (or, for market records, to trades) and sends bad ones
 * to `dlq.<reason>` with the reason. A line that is not JSON, or a CSV row with more cells than the
 * header, is counted here with its line number and not published. Each message's msgID is the
 * file's SHA-256 and the message's place in it, so importing the same file again within the
 * stream's duplicate window (2 minutes) adds nothing.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { headers as natsHeaders } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { openImportFile, progressReporter, type ImportFormat, type ImportProgress } from "../ingest/import-file.js";
import { ingestSubject, normalizeDataType, normalizeSource } from "./names.js";
import { packMessages } from "./pack.js";
import { parseBinanceKlinesCsvLine } from "../market/binance-klines.js";
import { MAX_RECORDS_PER_MESSAGE } from "./route.js";
import { namedError } from "../runtime/named-error.js";

/** JSON Lines, CSV with a header row, or a Binance klines CSV (src/market/binance-klines.ts: a record per kline, with `symbol`). */
export type CustomFileKind = "jsonl" | "csv" | "binance-klines";

export interface CustomImportOptions {
  source: string;
  dataType: string;
  kind: CustomFileKind;
  /** The klines' symbol (kind "binance-klines"). */
  symbol?: string;
  onProgress?: (p: ImportProgress & CustomImportSummary & { format: ImportFormat }) => void;
  progressEveryMs?: number;
  now?: () => number;
  /** Publishes awaited at once (default 32). */
  inFlight?: number;
  /** Each line that is not a record: its number, text and reason. */
  onInvalid?: (line: number, text: string, reason: string) => void;
}

export interface CustomImportSummary {
  /** Records read (lines of a JSON Lines file, data rows of a CSV). */
  rows: number;
  /** Records published in `messages` log messages; `duplicates` of those messages the log already had. */
  published: number;
  messages: number;
  duplicates: number;
  /** Lines that were not records, with the first reasons. */
  invalid: number;
  firstErrors: { line: number; message: string }[];
}

const FIRST_ERRORS = 5;

export class CustomImportRefused extends namedError("CustomImportRefused", { retryable: false }) {}
/** The log stopped taking messages midway; what was published stays (importing the file again within the duplicate window adds only the rest). */
export class CustomImportInterrupted extends namedError("CustomImportInterrupted", { retryable: true }) {}

export async function importCustomFile(js: JetStreamClient, path: string, options: CustomImportOptions): Promise<CustomImportSummary> {
  const source = normalizeSource(options.source);
  if (source === undefined) throw new CustomImportRefused(`source "${options.source}" is not 1-32 characters of a-z, 0-9 and _`);
  const dataType = normalizeDataType(options.dataType);
  if (dataType === undefined) throw new CustomImportRefused(`data type "${options.dataType}" is not 1-32 characters of a-z, 0-9 and _`);
  if (options.kind === "binance-klines" && !/^[A-Z0-9]{2,30}$/.test(options.symbol ?? "")) throw new CustomImportRefused(`a klines file needs its symbol (upper-case letters and digits), not "${options.symbol ?? ""}"`);
  const file = await openImportFile(path);
  const digest = await sha256Of(path);
  const subject = ingestSubject(source, dataType);
  const now = options.now ?? Date.now;
  const summary: CustomImportSummary = { rows: 0, published: 0, messages: 0, duplicates: 0, invalid: 0, firstErrors: [] };
  const progress = progressReporter(file, () => summary, options.onProgress, { everyMs: options.progressEveryMs, now });
  const pending = new Set<Promise<void>>();
  const inFlight = options.inFlight ?? 32;
  // The first publish that failed: the import stops there (every in-flight publish is awaited, so
  // none of them rejects unheard).
  let failure: { error: unknown } | null = null;
  let batch: Record<string, unknown>[] = [];

  const publish = async (records: Record<string, unknown>[]) => {
    for (const m of packMessages(records.map((envelope) => ({ subject, envelope })))) {
      const h = natsHeaders();
      h.set("Ingest-Time", String(now()));
      const msgID = `import:${digest}:${summary.messages++}`;
      const tracked: Promise<void> = js
        .publish(m.subject, m.data, { headers: h, msgID })
        .then(
          (ack) => {
            summary.published += m.indices.length;
            if (ack.duplicate) summary.duplicates++;
          },
          (error: unknown) => void (failure ??= { error }),
        )
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
      if (pending.size >= inFlight) await Promise.race(pending);
      if (failure) break;
    }
  };
  const refuse = (line: number, text: string, message: string) => {
    options.onInvalid?.(line, text, message);
    summary.invalid++;
    if (summary.firstErrors.length < FIRST_ERRORS) summary.firstErrors.push({ line, message });
  };

  let header: string[] | null = null;
  let lineNo = 0;
  for await (const line of file.lines()) {
    lineNo++;
    if (line.trim() === "") continue;
    if (options.kind === "csv" && header === null) {
      header = csvCells(line);
      if (header.some((h) => h === "")) throw new CustomImportRefused(`${path}: the CSV header (line ${lineNo}) has an empty column name`);
      continue;
    }
    const kline = options.kind === "binance-klines" ? parseBinanceKlinesCsvLine(line, options.symbol!) : null;
    if (kline?.kind === "skip") continue;
    summary.rows++;
    const record = kline !== null ? (kline.kind === "kline" ? kline.record : kline.message) : options.kind === "csv" ? csvRecord(header!, line) : jsonRecord(line);
    if (typeof record === "string") refuse(lineNo, line, record);
    else {
      batch.push(record);
      if (batch.length >= MAX_RECORDS_PER_MESSAGE) {
        await publish(batch);
        batch = [];
        if (failure) break;
      }
    }
    progress.tick();
  }
  if (batch.length > 0 && !failure) await publish(batch);
  await Promise.all(pending);
  const failed = failure as { error: unknown } | null;
  if (failed) throw new CustomImportInterrupted(`the log did not take a message after ${summary.published} records were published: ${(failed.error as Error).message ?? String(failed.error)}`, { cause: failed.error });
  progress.done();
  return summary;
}

function jsonRecord(line: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : "not a JSON object";
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function csvRecord(header: readonly string[], line: string): Record<string, unknown> | string {
  const cells = csvCells(line);
  if (cells.length > header.length) return `${cells.length} cells, but the header names ${header.length} columns`;
  const record: Record<string, unknown> = {};
  cells.forEach((cell, i) => {
    if (cell === "") return;
    record[header[i]!] = NUMBER.test(cell) ? Number(cell) : cell === "true" || cell === "false" ? cell === "true" : cell;
  });
  return record;
}

/** The cells of one CSV line: commas separate, double quotes quote (a doubled quote is a quote). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex").slice(0, 32);
}
