/**
 * Binance historical trades CSV (data.binance.vision `<SYMBOL>-trades-<date>.csv`, plain, `.gz` or
 * `.zip`: import-file.ts) into the log.
 * Lines are parsed by the shared parser (../binance-csv.ts: header optional, True/False, µs → ms);
 * rows go through the same publisher, so the same de-dup and gap rules apply. Bad rows go to
 * `dlq.csv-<reason>`.
 */
import { basename } from "node:path";
import { parseBinanceTradesCsvLine } from "../market/binance-csv.js";
import type { TradeLogPublisher } from "./publisher.js";
import { openImportFile, progressReporter, type ImportFormat, type ImportProgress } from "./import-file.js";

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
}

/** Streams a CSV file (plain, gzip or zip) into the publisher, waiting whenever it reports backpressure. */
export async function importTradesCsv(publisher: TradeLogPublisher, path: string, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, trades: 0, invalid: 0 };
  const file = await openImportFile(path);
  const progress = progressReporter(file, () => summary, options.onProgress, { everyMs: options.progressEveryMs, now: options.now });
  for await (const line of file.lines()) {
    const row = parseBinanceTradesCsvLine(line, { symbol: options.symbol, source: options.source, ingestTime: Date.now() });
    if (row.kind === "skip") continue;
    summary.rows++;
    if (row.kind === "trade") {
      publisher.accept(row.trade);
      summary.trades++;
    } else {
      publisher.reject(line, `csv-${row.reason.code}`, row.reason.message, options.source);
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
