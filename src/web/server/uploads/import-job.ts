/**
 * An uploaded file into the log, through the same pipeline as `npm run import`: a check pass that
 * reads the whole file and publishes nothing (so a bad file leaves nothing behind), then the
 * import. Binance trades go through a TradeLogPublisher under the live source's name, so the
 * trade-id de-duplication against live ingest applies, and end with an end-of-stream mark;
 * custom records go to the CUSTOM log as a NATS client sends them.
 */
import { createWriteStream } from "node:fs";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { checkTradesFile, importTradesCsv, tradesOfFile } from "../../../ingest/csv-import.js";
import { backfillBars } from "../../../actors/symbol/backfill.js";
import type { WindowOptions } from "../../../market/windows.js";
import type { Lake } from "../../../lake/lake.js";
import { candleSubject, silverSubject } from "../../../runtime/nats/spec.js";
import { jetstreamManager } from "@nats-io/jetstream";
import { liveBoundary } from "./live-boundary.js";
import { openImportFile, progressReporter } from "../../../ingest/import-file.js";
import { TradeLogPublisher } from "../../../ingest/publisher.js";
import { BINANCE_SOURCE } from "../../../market/binance.js";
import { importCustomFile } from "../../../custom/file-import.js";
import { klinesFileName, parseBinanceKlinesCsvLine } from "../../../market/binance-klines.js";
import { ImportFileError } from "../../../ingest/import-file.js";
import { progressOf, type UploadProgress, type UploadRequest, type UploadResult } from "./types.js";

export interface ImportDeps {
  nc: NatsConnection;
  /** The node's window settings: backfilled bars are computed with them. */
  windows: WindowOptions;
  /** Where live bars are kept, to find where live processing of a symbol begins. */
  lake?: Lake | undefined;
  /** PARTITIONS: the trade log's subjects depend on it. */
  partitions: number;
  /** The uploads' publisher spool (one import runs at a time, so one spool). */
  spoolDir: string;
}

export type ImportReport = (phase: "checking" | "importing", progress: UploadProgress) => void;

/** Quotes a CSV cell. */
const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function runUploadImport(o: { path: string; request: UploadRequest; rejectsPath: string }, deps: ImportDeps, report: ImportReport): Promise<UploadResult> {
  const started = Date.now();
  const r = o.request;
  if (r.kind === "binance-trades") {
    const check = await checkTradesFile(o.path, { symbol: r.symbol, source: BINANCE_SOURCE, fileName: r.name, onProgress: (p) => report("checking", progressOf(p)) });
    const backfilled = await backfill(o.path, r.symbol, deps);
    const publisher = await TradeLogPublisher.start(deps.nc, { spoolDir: deps.spoolDir, partitions: deps.partitions });
    const rejects = createWriteStream(o.rejectsPath);
    rejects.write("line,reason,row\n");
    try {
      const summary = await importTradesCsv(publisher, o.path, {
        symbol: r.symbol,
        source: BINANCE_SOURCE,
        onProgress: (p) => report("importing", progressOf(p)),
        onInvalid: (line, text, reason) => void rejects.write(`${line},${cell(reason)},${cell(text)}\n`),
      });
      await publisher.flush();
      await publisher.endOfStream(BINANCE_SOURCE, [r.symbol]);
      const st = publisher.status();
      return {
        rows: summary.rows,
        accepted: st.published,
        duplicates: st.duplicatesDropped + st.alreadyInLog - (backfilled?.trades ?? 0),
        invalid: summary.invalid,
        firstErrors: check.firstErrors,
        rejectFile: summary.invalid > 0,
        endOfStream: st.endMarks > 0,
        backfilled,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      await new Promise<void>((resolve) => rejects.end(resolve));
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
  const progress = progressReporter(file, () => counts, (p) => report("checking", progressOf(p)));
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
  const s = await importCustomFile(jetstream(deps.nc), o.path, {
    ...("symbol" in r ? { source: BINANCE_SOURCE, dataType: "klines", symbol: r.symbol } : { source: r.source, dataType: r.dataType }),
    kind: r.kind === "binance-klines" ? "binance-klines" : r.kind === "custom-jsonl" ? "jsonl" : "csv",
    onProgress: (p) => report("importing", progressOf(p)),
  });
  return { rows: s.rows, accepted: s.published, duplicates: s.duplicates, invalid: s.invalid, firstErrors: s.firstErrors, rejectFile: false, endOfStream: false, backfilled: null, seconds: (Date.now() - started) / 1000 };
}

/**
 * History older than where live processing of the symbol begins becomes bars and candles here,
 * published on SILVER and CANDLES like live ones (the lake, serving and training take them from
 * there); the log then drops those trades as older than its high-water mark.
 */
async function backfill(path: string, symbol: string, deps: ImportDeps): Promise<UploadResult["backfilled"]> {
  const js = jetstream(deps.nc);
  const before = await liveBoundary({ js, jsm: await jetstreamManager(deps.nc), lake: deps.lake, partitions: deps.partitions, source: BINANCE_SOURCE, symbol });
  if (before === null) return null;
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  // The live sink's message ids: a second upload of the same history within the log's duplicate window adds nothing.
  // Up to 256 publishes in flight; the first failure ends the backfill (the upload then fails with it).
  const pending = new Set<Promise<unknown>>();
  const send = async (subject: string, data: unknown, msgID: string) => {
    const p = js.publish(subject, json(data), { msgID }).finally(() => pending.delete(p));
    p.catch(() => {}); // seen by the race or the final await; never an unhandled rejection
    pending.add(p);
    if (pending.size >= 256) await Promise.race(pending);
  };
  const counts = await backfillBars(tradesOfFile(path, symbol, BINANCE_SOURCE), { symbol, windows: deps.windows, beforeMs: before, now: Date.now }, {
    bar: (bar) => send(silverSubject(symbol), bar, `${symbol}:${bar.windowEnd}`),
    candle: (candle) => send(candleSubject(symbol), candle, `${symbol}:${candle.openTime}`),
  });
  await Promise.all(pending);
  return counts.trades === 0 ? null : { before, ...counts };
}
