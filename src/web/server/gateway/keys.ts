/**
 * API keys of the ingestion gateway: `source:key,source2:key2` or `*:key` (any source). Parsed
 * once; keys are compared in constant time.
 */
import { timingSafeEqual, createHash } from "node:crypto";

export interface ApiKey {
  /** A source name, or "*" for any source. */
  source: string;
  key: string;
}

export class ApiKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiKeyConfigError";
  }
}

export function parseApiKeys(text: string): ApiKey[] {
  const keys: ApiKey[] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const colon = item.indexOf(":");
    if (colon <= 0 || colon === item.length - 1) throw new ApiKeyConfigError(`INGEST_API_KEYS: "${maskEntry(item)}" is not source:key`);
    const source = item.slice(0, colon).trim().toLowerCase();
    const key = item.slice(colon + 1).trim();
    if (source !== "*" && !/^[a-z0-9][a-z0-9_]{0,31}$/.test(source)) throw new ApiKeyConfigError(`INGEST_API_KEYS: source "${source}" must be * or [a-z0-9_] (up to 32)`);
    if (key.length < 8) throw new ApiKeyConfigError(`INGEST_API_KEYS: the key for "${source}" is shorter than 8 characters`);
    keys.push({ source, key });
  }
  return keys;
}

function maskEntry(item: string): string {
  const colon = item.indexOf(":");
  return colon < 0 ? "***" : `${item.slice(0, colon)}:***`;
}

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
