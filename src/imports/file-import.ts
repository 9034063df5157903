/**
 * A file into the platform: the one pipeline behind `npm run import` and the Data page's upload.
 *
 * - A check pass reads the whole file and publishes nothing, so a file that is not what it claims
 *   (empty, a broken archive, not UTF-8, named for another symbol, a first row of another format)
 *   leaves nothing behind.
 * - Binance trades: history older than where live processing of the symbol begins is backfilled
 *   into bars and candles (live-boundary.ts, src/actors/symbol/backfill.ts); the rest goes through
 *   a TradeLogPublisher, so the log's trade-id de-duplication applies, and ends with an end-of-stream
 *   mark. Refused rows go to the DLQ and, when asked, to a reject file.
 * - Binance klines and custom JSON Lines / CSV: records into the CUSTOM log, as a NATS client sends them.
 */
import { createWriteStream } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { checkTradesFile, importTradesCsv, tradesOfFile } from "../ingest/csv-import.js";
import { ImportFileError, openImportFile, progressReporter, type ImportProgress } from "../ingest/import-file.js";
import { TradeLogPublisher } from "../ingest/publisher.js";
import { backfillBars } from "../actors/symbol/backfill.js";
import { importCustomFile } from "../custom/file-import.js";
import type { Lake } from "../lake/lake.js";
import { BINANCE_SOURCE } from "../market/binance.js";
import { klinesFileName, parseBinanceKlinesCsvLine } from "../market/binance-klines.js";
import type { WindowOptions } from "../market/windows.js";
import { candleSubject, silverSubject } from "../runtime/nats/spec.js";
import { liveBoundary } from "./live-boundary.js";

/** What to import. `name` is the file's own name (a data.binance.vision name tells its symbol). */
export type ImportRequest =
  | { kind: "binance-trades"; name: string; symbol: string; /** Default binance: live ingest's, so the de-duplication meets live data. */ source?: string }
  | { kind: "binance-klines"; name: string; symbol: string }
  | { kind: "custom-jsonl" | "custom-csv"; name: string; source: string; dataType: string };

export interface ImportResult {
  rows: number;
  /** Records that entered the log for the first time. */
  accepted: number;
  /** Trades the log already held (the same trade-id de-duplication as live ingest), or custom messages it already had. */
  duplicates: number;
  invalid: number;
  firstErrors: { line: number; message: string }[];
  /** Whether the refused rows were written to the reject file. */
  rejectFile: boolean;
  /** An end-of-stream mark was logged: the symbol's last windows closed. */
  endOfStream: boolean;
  /**
   * History older than where live processing of the symbol begins (`before`, ms): its trades went
   * into bars and candles through the SymbolActor's pure transition, published like live ones.
   * Null when there was none (or no live data to be older than).
   */
  backfilled: { before: number; trades: number; bars: number; candles: number } | null;
  /** Trades: id gaps in the file and the ids they miss. */
  gaps: number;
  missingTrades: number;
  /** Custom and klines: log messages the records went in. */
  messages: number;
  seconds: number;
}

export interface ImportDeps {
  nc: NatsConnection;
  /** PARTITIONS: the trade log's subjects depend on it. */
  partitions: number;
  /** The trade publisher's spool (imports run one at a time per spool). */
  spoolDir: string;
  /** The window settings: backfilled bars are computed with them. */
  windows: WindowOptions;
  /** Where live bars are kept, to find where live processing of a symbol begins. */
  lake?: Lake | undefined;
  /** Log an end-of-stream mark after the trades (default true; `--event-time-only` turns it off). */
  endOfStream?: boolean;
}

export type ImportReport = (phase: "checking" | "importing", progress: ImportProgress & { rows: number }) => void;

/** Quotes a CSV cell. */
const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The refused rows as CSV (`line,reason,row`) at `path`; without a path, nothing is written. */
function rejectWriter(path: string | undefined): { enabled: boolean; write(line: number, text: string, reason: string): void; close(): Promise<void> } {
  const out = path === undefined ? null : createWriteStream(path);
  out?.write("line,reason,row\n");
  return {
    enabled: out !== null,
    write: (line, text, reason) => void out?.write(`${line},${cell(reason)},${cell(text)}\n`),
    close: () => new Promise<void>((resolve) => (out ? out.end(resolve) : resolve())),
  };
}

export async function runFileImport(o: { path: string; request: ImportRequest; rejectsPath?: string }, deps: ImportDeps, report: ImportReport = () => {}): Promise<ImportResult> {
  const started = Date.now();
  const r = o.request;
  const seconds = () => (Date.now() - started) / 1000;
  if (r.kind === "binance-trades") {
    const source = r.source ?? BINANCE_SOURCE;
    const check = await checkTradesFile(o.path, { symbol: r.symbol, source, fileName: r.name, onProgress: (p) => report("checking", p) });
    const backfilled = await backfill(o.path, r.symbol, source, deps);
    const publisher = await TradeLogPublisher.start(deps.nc, { spoolDir: deps.spoolDir, partitions: deps.partitions });
    const rejects = rejectWriter(o.rejectsPath);
    try {
      const summary = await importTradesCsv(publisher, o.path, {
        symbol: r.symbol,
        source,
        onProgress: (p) => report("importing", p),
        onInvalid: rejects.write,
      });
      await publisher.flush();
      if (deps.endOfStream !== false) await publisher.endOfStream(source, [r.symbol]);
      const st = publisher.status();
      return {
        rows: summary.rows,
        accepted: st.published,
        duplicates: st.duplicatesDropped + st.alreadyInLog - (backfilled?.trades ?? 0),
        invalid: summary.invalid,
        firstErrors: check.firstErrors,
        rejectFile: rejects.enabled && summary.invalid > 0,
        endOfStream: st.endMarks > 0,
        backfilled,
        gaps: st.gaps,
        missingTrades: st.missingTrades,
        messages: 0,
        seconds: seconds(),
      };
    } finally {
      await rejects.close();
      await publisher.close();
    }
  }
  // Custom and klines: the check pass reads every line (a broken archive or text that is not UTF-8
  // fails here); a klines file must be named for its symbol, if named at all, and start with a kline.
  const klines = r.kind === "binance-klines";
  if (klines) {
    const named = klinesFileName(r.name);
    if (named !== null && named.symbol !== r.symbol) throw new ImportFileError(`the file is named for ${named.symbol}, not ${r.symbol}: pick ${named.symbol} or another file`);
  }
  const file = await openImportFile(o.path);
  const counts = { rows: 0 };
  const progress = progressReporter(file, () => counts, (p) => report("checking", p));
  for await (const line of file.lines()) {
    if (line.trim() === "") continue;
    if (klines && counts.rows === 0) {
      const first = parseBinanceKlinesCsvLine(line, r.symbol);
      if (first.kind === "skip") continue;
      if (first.kind === "invalid") throw new ImportFileError(`not a Binance klines CSV: line ${counts.rows + 1}: ${first.message}`);
    }
    counts.rows++;
    progress.tick();
  }
  progress.done();
  const rejects = rejectWriter(o.rejectsPath);
  try {
    const s = await importCustomFile(jetstream(deps.nc), o.path, {
      ...(r.kind === "binance-klines" ? { source: BINANCE_SOURCE, dataType: "klines", symbol: r.symbol } : { source: r.source, dataType: r.dataType }),
      kind: r.kind === "binance-klines" ? "binance-klines" : r.kind === "custom-jsonl" ? "jsonl" : "csv",
      onProgress: (p) => report("importing", p),
      onInvalid: rejects.write,
    });
    return { rows: s.rows, accepted: s.published, duplicates: s.duplicates, invalid: s.invalid, firstErrors: s.firstErrors, rejectFile: rejects.enabled && s.invalid > 0, endOfStream: false, backfilled: null, gaps: 0, missingTrades: 0, messages: s.messages, seconds: seconds() };
  } finally {
    await rejects.close();
  }
}

/**
 * History older than where live processing of the symbol begins becomes bars and candles here,
 * published on SILVER and CANDLES like live ones (the lake, serving and training take them from
 * there); the log then drops those trades as older than its high-water mark.
 */
async function backfill(path: string, symbol: string, source: string, deps: ImportDeps): Promise<ImportResult["backfilled"]> {
  const js = jetstream(deps.nc);
  const before = await liveBoundary({ js, jsm: await jetstreamManager(deps.nc), lake: deps.lake, partitions: deps.partitions, source, symbol });
  if (before === null) return null;
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  // Up to 256 publishes in flight; the first failure ends the backfill (the import then fails with it).
  const pending = new Set<Promise<unknown>>();
  const send = async (subject: string, data: unknown, msgID: string) => {
    const p = js.publish(subject, json(data), { msgID }).finally(() => pending.delete(p));
    p.catch(() => {}); // seen by the race or the final await; never an unhandled rejection
    pending.add(p);
    if (pending.size >= 256) await Promise.race(pending);
  };
  // The live sink's message ids: the same history imported again within the log's duplicate window adds nothing.
  const counts = await backfillBars(tradesOfFile(path, symbol, source), { symbol, windows: deps.windows, beforeMs: before, now: Date.now }, {
    bar: (bar) => send(silverSubject(symbol), bar, `${symbol}:${bar.windowEnd}`),
    candle: (candle) => send(candleSubject(symbol), candle, `${symbol}:${candle.openTime}`),
  });
  await Promise.all(pending);
  return counts.trades === 0 ? null : { before, ...counts };
}
