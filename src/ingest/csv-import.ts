/**
 * Binance historical trades CSV (data.binance.vision `<SYMBOL>-trades-<date>.csv`) into the log.
 * Lines are parsed by the shared parser (../binance-csv.ts: header optional, True/False, µs → ms);
 * rows go through the same publisher, so the same de-dup and gap rules apply. Bad rows go to
 * `dlq.csv-<reason>`.
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { parseBinanceTradesCsvLine } from "../market/binance-csv.js";
import type { TradeLogPublisher } from "./publisher.js";

export function symbolFromFileName(path: string): string | null {
  const m = /^([A-Za-z0-9]+)-trades-/.exec(basename(path));
  return m ? m[1]!.toUpperCase() : null;
}

export interface ImportSummary {
  rows: number;
  trades: number;
  invalid: number;
}

/** Streams a CSV file into the publisher, waiting whenever it reports backpressure. */
export async function importTradesCsv(
  publisher: TradeLogPublisher,
  path: string,
  options: { symbol: string; source: string; onProgress?: (s: ImportSummary) => void; progressEvery?: number },
): Promise<ImportSummary> {
  const summary: ImportSummary = { rows: 0, trades: 0, invalid: 0 };
  const every = options.progressEvery ?? 100_000;
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
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
    if (summary.rows % every === 0) options.onProgress?.(summary);
  }
  return summary;
}
