/**
 * API keys of the ingestion gateway: `source:key,source2:key2` or `*:key` (any source). Parsed
 * once; keys are compared in constant time.
 */
import { timingSafeEqual, createHash } from "node:crypto";
import type { ApiKey } from "../../../config/api-keys.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

export type Authorization = { kind: "ok" } | { kind: "unknown-key" } | { kind: "wrong-source"; allowed: string[] };

/** Which sources a presented key may write to. */
export function authorize(keys: readonly ApiKey[], presented: string | undefined, source: string): Authorization {
  if (!presented) return { kind: "unknown-key" };
  const d = digest(presented);
  const allowed = keys.filter((k) => timingSafeEqual(digest(k.key), d)).map((k) => k.source);
  if (allowed.length === 0) return { kind: "unknown-key" };
  return allowed.includes("*") || allowed.includes(source) ? { kind: "ok" } : { kind: "wrong-source", allowed };
}

/** The INGEST_API_KEYS entry (`INGEST_API_KEYS #n`, 1-based) an authorized key writes with: its id in usage counts and error lists. */
export function bootstrapKeyId(keys: readonly ApiKey[], presented: string, source: string): string {
  const d = digest(presented);
  const index = keys.findIndex((k) => (k.source === "*" || k.source === source) && timingSafeEqual(digest(k.key), d));
  return `INGEST_API_KEYS #${index + 1}`;
}
