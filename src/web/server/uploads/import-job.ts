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
import { checkTradesFile, importTradesCsv } from "../../../ingest/csv-import.js";
import { openImportFile, progressReporter } from "../../../ingest/import-file.js";
import { TradeLogPublisher } from "../../../ingest/publisher.js";
import { BINANCE_SOURCE } from "../../../market/binance.js";
import { importCustomFile } from "../../../custom/file-import.js";
import { klinesFileName, parseBinanceKlinesCsvLine } from "../../../market/binance-klines.js";
import { ImportFileError } from "../../../ingest/import-file.js";
import { progressOf, type UploadProgress, type UploadRequest, type UploadResult } from "./types.js";

export interface ImportDeps {
  nc: NatsConnection;
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
        duplicates: st.duplicatesDropped + st.alreadyInLog,
        invalid: summary.invalid,
        firstErrors: check.firstErrors,
        rejectFile: summary.invalid > 0,
        endOfStream: st.endMarks > 0,
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
  return { rows: s.rows, accepted: s.published, duplicates: s.duplicates, invalid: s.invalid, firstErrors: s.firstErrors, rejectFile: false, endOfStream: false, seconds: (Date.now() - started) / 1000 };
}
