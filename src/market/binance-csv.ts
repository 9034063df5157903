/**
 * One line of a data.binance.vision spot `trades` CSV:
 * `id,price,qty,quote_qty,time,is_buyer_maker,is_best_match` (header optional; booleans
 * `True`/`False` or `true`/`false`). `time` is ms, or µs in spot files from 2025-01-01: detected by
 * magnitude and floored to ms. The file carries no symbol, so the caller names it.
 */
import type { Trade } from "./trade.js";
import type { InvalidReason } from "./binance.js";
import { BINANCE_SOURCE } from "./binance.js";
import { parseUnsignedDecimal, toMillis } from "./decimal.js";

export type CsvTradeLine =
  | { kind: "trade"; trade: Trade }
  | { kind: "skip"; why: "header" | "blank" }
  | { kind: "invalid"; reason: InvalidReason };

export interface CsvTradeContext {
  /** Upper-case symbol the file belongs to, e.g. "BTCUSDT". */
  symbol: string;
  /** When the import read the line (ms). */
  ingestTime: number;
  source?: string;
}

function bad(code: InvalidReason["code"], message: string, field: string): CsvTradeLine {
  return { kind: "invalid", reason: { code, message, field } };
}

function parseBool(text: string): boolean | null {
  if (text === "True" || text === "true") return true;
  if (text === "False" || text === "false") return false;
  return null;
}

export function parseBinanceTradesCsvLine(line: string, ctx: CsvTradeContext): CsvTradeLine {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (text.trim() === "") return { kind: "skip", why: "blank" };
  const cols = text.split(",");
  if (cols[0] === "id") return { kind: "skip", why: "header" };
  if (cols.length < 6) return bad("missing-field", `expected 6 or 7 columns, got ${cols.length}`, "line");
  const [idText, priceText, quantityText, , timeText, makerText] = cols as [string, string, string, string, string, string];

  const id = Number(idText);
  if (idText === "" || !Number.isSafeInteger(id) || id < 0) return bad("bad-field", `id "${idText.slice(0, 40)}" is not a non-negative integer`, "id");
  const price = parseUnsignedDecimal(priceText);
  if (!(price > 0)) return bad("bad-price", `price "${priceText.slice(0, 40)}" is not a positive finite decimal`, "price");
  const quantity = parseUnsignedDecimal(quantityText);
  if (!(quantity > 0)) return bad("bad-quantity", `qty "${quantityText.slice(0, 40)}" is not a positive finite decimal`, "qty");
  const time = Number(timeText);
  if (timeText === "" || !Number.isSafeInteger(time) || time <= 0) return bad("bad-field", `time "${timeText.slice(0, 40)}" is not a positive integer`, "time");
  const buyerIsMaker = parseBool(makerText);
  if (buyerIsMaker === null) return bad("bad-field", `is_buyer_maker "${makerText.slice(0, 20)}" is not True/False`, "is_buyer_maker");

  const tradeTime = toMillis(time);
  return {
    kind: "trade",
    trade: {
      source: ctx.source ?? BINANCE_SOURCE,
      symbol: ctx.symbol,
      tradeId: id,
      price,
      quantity,
      priceText,
      quantityText,
      tradeTime,
      eventTime: tradeTime,
      ingestTime: ctx.ingestTime,
      buyerIsMaker,
    },
  };
}
