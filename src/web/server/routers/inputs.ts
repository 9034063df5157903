/** Input schemas shared by the routers: one place says what a symbol and a limit may be. */
import { z } from "zod";

/** Upper-case letters and digits, like Binance symbols (also the NATS subject token). */
export const symbolSchema = z
  .string()
  .regex(/^[A-Z0-9]{2,20}$/, "symbol must be 2-20 upper-case letters or digits, e.g. BTCUSDT");

export const limitSchema = z.number().int().min(1, "limit must be at least 1").max(2000, "limit must be at most 2000");

/** tRPC fills `lastEventId` from the last `tracked()` id when a client resubscribes. */
export const lastEventIdSchema = z.string().nullish();
