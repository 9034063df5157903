/**
 * Binance historical trades CSV (data.binance.vision `<SYMBOL>-trades-<date>.csv`, plain, `.gz` or
 * `.zip`: import-file.ts) into the log.
 * Lines are parsed by the shared parser (../binance-csv.ts: header optional, True/False, µs → ms);
 * rows go through the same publisher, so the same de-dup and gap rules apply. Bad rows go to
 * `dlq.csv-<reason>`.
 */
import { basename } from "node:path";
import { parseBinanceTradesCsvLine, type CsvTradeLine } from "../market/binance-csv.js";
import type { TradeLogPublisher } from "./publisher.js";
import type { Trade } from "../market/trade.js";
import { ImportFileError, openImportFile, progressReporter, type ImportFile, type ImportFormat, type ImportProgress } from "./import-file.js";

export function symbolFromFileName(path: string): string | null {
  const m = /^([A-Za-z0-9]+)-trades-/.exec(basename(path));
  return m ? m[1]!.toUpperCase() : null;
}

export interface ImportSummary {
  rows: number;
  trades: number;
  invalid: number;
}

export interface ImportOptions {
  symbol: string;
  source: string;
  /** Called about every `progressEveryMs` (default 1 s) and once at the end. */
  onProgress?: (p: ImportProgress & ImportSummary & { format: ImportFormat }) => void;
  progressEveryMs?: number;
  now?: () => number;
  /** Each row refused (it also goes to the DLQ): its line number, text and reason. */
  onInvalid?: (line: number, text: string, reason: string) => void;
}

/** The rows of a trades CSV with their line numbers (blank lines and the header skipped). */
async function* tradeRows(file: ImportFile, symbol: string, source: string): AsyncGenerator<{ lineNo: number; line: string; row: Exclude<CsvTradeLine, { kind: "skip" }> }> {
  let lineNo = 0;
  for await (const line of file.lines()) {
    lineNo++;
    const row = parseBinanceTradesCsvLine(line, { symbol, source, ingestTime: Date.now() });
    if (row.kind !== "skip") yield { lineNo, line, row };
  }
}

/** The file's trades in file order (refused rows left out: the import reports them). */
export async function* tradesOfFile(path: string, symbol: string, source: string): AsyncGenerator<Trade> {
  for await (const { row } of tradeRows(await openImportFile(path), symbol, source)) if (row.kind === "trade") yield row.trade;
}

export interface TradesFileCheck extends ImportSummary {
  format: ImportFormat;
  /** The first refused rows. */
  firstErrors: { line: number; message: string }[];
}

/**
 * Reads a whole trades file without publishing anything, so a file that is not what it claims is
 * refused before any of it reaches the log (ImportFileError, naming why): unreadable (empty, a
 * broken zip or gzip, not UTF-8), a file of another symbol (by its data.binance.vision name), or
 * not a trades CSV (its first row is refused, e.g. wrong columns, or no row is a trade). A file
 * with some bad rows among good ones passes, with the count and the first reasons.
 */
export async function checkTradesFile(path: string, o: { symbol: string; source: string; fileName?: string; onProgress?: ImportOptions["onProgress"] }): Promise<TradesFileCheck> {
  const named = symbolFromFileName(o.fileName ?? path);
  if (named !== null && named !== o.symbol) throw new ImportFileError(`the file is named for ${named}, not ${o.symbol}: pick ${named} or another file`);
  const file = await openImportFile(path);
  const check: TradesFileCheck = { rows: 0, trades: 0, invalid: 0, format: file.format, firstErrors: [] };
  const progress = progressReporter(file, () => check, o.onProgress);
  for await (const { lineNo, row } of tradeRows(file, o.symbol, o.source)) {
    check.rows++;
    if (row.kind === "trade") check.trades++;
    else {
      if (check.rows === 1) throw new ImportFileError(`not a Binance trades CSV (id,price,qty,quote_qty,time,is_buyer_maker[,is_best_match]): line ${lineNo}: ${row.reason.message}`);
      check.invalid++;
      if (check.firstErrors.length < 5) check.firstErrors.push({ line: lineNo, message: row.reason.message });
    }
    progress.tick();
  }
  progress.done();
  if (check.trades === 0) throw new ImportFileError("the file holds no trade rows");
  return check;
}

/** Streams a CSV file (plain, gzip or zip) into the publisher, waiting whenever it reports backpressure. */
export async function importTradesCsv(publisher: TradeLogPublisher, path: string, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, trades: 0, invalid: 0 };
  const file = await openImportFile(path);
  const progress = progressReporter(file, () => summary, options.onProgress, { everyMs: options.progressEveryMs, now: options.now });
  for await (const { lineNo, line, row } of tradeRows(file, options.symbol, options.source)) {
    summary.rows++;
    if (row.kind === "trade") {
      publisher.accept(row.trade);
      summary.trades++;
    } else {
      publisher.reject(line, `csv-${row.reason.code}`, row.reason.message, options.source);
      options.onInvalid?.(lineNo, line, row.reason.message);
      summary.invalid++;
    }
    if (publisher.paused) await new Promise<void>((resolve) => {
      const off = publisher.pressure.add((on) => {
        if (!on) {
          off();
          resolve();
        }
      });
    });
    progress.tick();
  }
  progress.done();
  return summary;
}
