/**
 * Binance historical trades CSV (data.binance.vision `<SYMBOL>-trades-<date>.csv`):
 * `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match`, with or without a header row,
 * booleans True/False, time in ms (µs for spot files from 2025-01-01: converted to ms).
 * Rows go through the same publisher, so the same de-dup and gap rules apply.
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { parseUnsignedDecimal } from "../decimal.js";
import type { Trade } from "../trade.js";
import type { TradeLogPublisher } from "./publisher.js";

export type CsvRow = { kind: "trade"; trade: Trade } | { kind: "header" } | { kind: "invalid"; message: string };

/** Anything above this is a microsecond timestamp (ms values stay below it until year 5138). */
const MICROS_THRESHOLD = 1e14;

export function symbolFromFileName(path: string): string | null {
  const m = /^([A-Za-z0-9]+)-trades-/.exec(basename(path));
  return m ? m[1]!.toUpperCase() : null;
}

function parseBool(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  return t === "true" ? true : t === "false" ? false : null;
}

export function parseTradeCsvLine(line: string, symbol: string, source: string, ingestTime: number): CsvRow {
  const cols = line.split(",");
  if (cols[0]?.trim().toLowerCase() === "id") return { kind: "header" };
  if (cols.length < 6) return { kind: "invalid", message: `expected at least 6 columns, got ${cols.length}` };
  const id = Number(cols[0]);
  if (!Number.isSafeInteger(id) || id < 0) return { kind: "invalid", message: `bad trade id "${cols[0]}"` };
  const priceText = cols[1]!.trim();
  const quantityText = cols[2]!.trim();
  const price = parseUnsignedDecimal(priceText);
  if (!(price > 0)) return { kind: "invalid", message: `bad price "${priceText}"` };
  const quantity = parseUnsignedDecimal(quantityText);
  if (!(quantity > 0)) return { kind: "invalid", message: `bad quantity "${quantityText}"` };
  const rawTime = Number(cols[4]);
  if (!Number.isSafeInteger(rawTime) || rawTime <= 0) return { kind: "invalid", message: `bad time "${cols[4]}"` };
  const tradeTime = rawTime > MICROS_THRESHOLD ? Math.floor(rawTime / 1000) : rawTime;
  const buyerIsMaker = parseBool(cols[5]!);
  if (buyerIsMaker === null) return { kind: "invalid", message: `bad is_buyer_maker "${cols[5]}"` };
  return { kind: "trade", trade: { source, symbol, tradeId: id, price, quantity, priceText, quantityText, tradeTime, eventTime: tradeTime, ingestTime, buyerIsMaker } };
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
    if (line.trim() === "") continue;
    summary.rows++;
    const row = parseTradeCsvLine(line, options.symbol, options.source, Date.now());
    if (row.kind === "trade") {
      publisher.accept(row.trade);
      summary.trades++;
    } else if (row.kind === "invalid") {
      publisher.reject(line, "bad-csv-row", row.message, options.source);
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
