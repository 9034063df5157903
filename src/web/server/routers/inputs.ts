/** Input schemas shared by the routers: one place says what a symbol and a limit may be. */
import { z } from "zod";
import { MARKET_SYMBOL_PATTERN } from "../../../market/symbol.js";

/** A market symbol: Binance's (BTCUSDT) or a custom source's (ACME_WIDGET); also a NATS subject token. */
export const symbolSchema = z
  .string()
  .regex(MARKET_SYMBOL_PATTERN, "symbol must be upper-case letters, digits and _, e.g. BTCUSDT or ACME_WIDGET");

export const limitSchema = z.number().int().min(1, "limit must be at least 1").max(2000, "limit must be at most 2000");

/** tRPC fills `lastEventId` from the last `tracked()` id when a client resubscribes. */
export const lastEventIdSchema = z.string().nullish();
