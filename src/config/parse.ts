/** Parsers for configuration values. Each throws ConfigError naming the option. */
import { redactUrlCredentials } from "../runtime/nats/credentials.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "30s", "5m", "24h", "2d" or a bare number of milliseconds → milliseconds. */
export function parseDuration(option: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new ConfigError(`${option}: "${text}" is not a duration (examples: 500ms, 30s, 5m, 24h)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "ms"]!);
}

export function parseInteger(option: string, text: string, { min = -Infinity, max = Infinity } = {}): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new ConfigError(`${option}: "${text}" is not an integer`);
  if (value < min || value > max) throw new ConfigError(`${option}: ${value} is outside ${min}..${max}`);
  return value;
}

export function parseBoolean(option: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  throw new ConfigError(`${option}: "${text}" is not a boolean (true/false)`);
}

export function parseList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseUrl(option: string, text: string, protocols: string[]): string {
  for (const part of parseList(text)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new ConfigError(`${option}: "${part}" is not a URL`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(`${option}: "${part}" must use ${protocols.join(" or ")}`);
    }
  }
  return text;
}

export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new ConfigError(`${option}: "${text}" is not one of ${choices.join(", ")}`);
}

/**
 * Hides secrets when the config is printed: in URLs (one, or a comma-separated list) the password,
 * or a bare token in the user part; any other value whole.
 */
export function maskSecret(value: string): string {
  if (value === "") return "";
  const parts = parseList(value);
  if (parts.length > 0 && parts.every((p) => URL_WITH_SCHEME.test(p))) return parts.map(redactUrlCredentials).join(",");
  return "****";
}

const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/i;
