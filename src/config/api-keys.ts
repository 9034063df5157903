/** INGEST_API_KEYS: `source:key,source2:key2` or `*:key` (any source), parsed once. */

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
