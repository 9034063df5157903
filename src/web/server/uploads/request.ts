/** The check of POST /api/uploads bodies. */
import { z } from "zod";
import { UPLOAD_MAX_BYTES, type UploadRequest } from "./types.js";

const name = z.string().min(1).max(255);
const ident = z.string().regex(/^[a-z0-9_]{1,32}$/, "1-32 characters of a-z, 0-9 and _");

export const uploadRequestSchema: z.ZodType<UploadRequest> = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["binance-trades", "binance-klines"]), name, size: z.number().int().min(0).max(UPLOAD_MAX_BYTES), symbol: z.string().regex(/^[A-Z0-9]{2,30}$/, "an upper-case Binance symbol such as BTCUSDT") }),
  z.object({ kind: z.enum(["custom-jsonl", "custom-csv"]), name, size: z.number().int().min(0).max(UPLOAD_MAX_BYTES), source: ident, dataType: ident }),
]);

