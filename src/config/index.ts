import { hostname } from "node:os";
import { join } from "node:path";
import { OPTIONS, type OptionName } from "./options.js";
import { parseApiKeys, type ApiKey } from "./api-keys.js";
import type { WebLimits } from "./web-limits.js";
import { parseAllowedHosts, parseAllowedOrigins } from "./allow-lists.js";
import { mergeCredentials, NatsCredentialsInvalid, splitUrlCredentials, type NatsCredentials } from "../runtime/nats/credentials.js";
import type { TimeBounds } from "./time-bounds.js";
import { ConfigError, maskSecret, parseBoolean, parseChoice, parseDuration, parseInteger, parseList, parseUrl } from "./parse.js";

export { ConfigError, parseDuration } from "./parse.js";
export { OPTIONS } from "./options.js";

export const ROLES = ["ingest", "market", "lake", "serving", "web", "ml", "quality"] as const;
export type Role = (typeof ROLES)[number];
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** A node's validated configuration; durations are milliseconds. */
export interface Config {
  /** Empty when none was given: the node decides (local server or an embedded one). */
  natsUrl: string;
  /** NATS credentials and TLS besides those in natsUrl (NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_TLS_*). */
  natsCredentials: NatsCredentials;
  /** Reply-subject prefix (NATS_INBOX_PREFIX); empty: nats.js's _INBOX. */
  natsInboxPrefix: string;
  nodeId: string;
  roles: Role[];
  partitions: number;
  dataDir: string;
  heartbeatMs: number;
  memberTtlMs: number;
  leaseTtlMs: number;
  ingestOverlapMs: number;
  symbols: string[];
  binanceWsUrl: string;
  /** REST base for trade backfill (https://api.binance.com, or the simulator's http://host:port). */
  binanceRestUrl: string;
  windowSizeMs: number;
  windowSlideMs: number;
  allowedLatenessMs: number;
  /** IDLE_TIMEOUT: 0 = no idle watermarks. */
  idleTimeoutMs: number;
  lakeUri: string;
  s3: { endpoint: string; region: string; forcePathStyle: boolean; accessKeyId: string; secretAccessKey: string };
  databaseUrl: string;
  web: { host: string; port: number; allowedHosts: string[]; allowedOrigins: string[]; limits: WebLimits };
  /** READ_TOKENS; empty: reads only from this machine. */
  readTokens: string[];
  adminTokens: string[];
  /** Signed admin requests older or newer than this are refused (ms). */
  adminMaxSkewMs: number;
  ingest: { apiKeys: ApiKey[]; maxBodyBytes: number };
  /** UPLOAD_CHUNK: the largest chunk of a browser upload. */
  uploadChunkBytes: number;
  /** Stall watchdog limit (ms); 0: off. */
  partitionStallMs: number;
  /** SIGTERM/SIGINT → process exit, at most (ms). */
  shutdownTimeoutMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Symbols with their own series in symbol-labelled metrics; the rest are "other". */
  metricsTopSymbols: number;
  /** NATS servers' monitoring endpoints (NATS_MONITOR_URL) read for the nats_server_* metrics; empty: none. */
  natsMonitorUrls: string[];
  /** Accepted event times of custom records (CUSTOM_MAX_FUTURE_SKEW, CUSTOM_MIN_EVENT_TIME). */
  customTimeBounds: TimeBounds;
  /**
   * Per-source quotas on custom data (CUSTOM_MAX_DATA_TYPES, CUSTOM_MAX_INSTRUMENTS; the gateway's
   * INGEST_RATE_LIMIT as recordsPerSecond, the router's CUSTOM_NATS_RATE_LIMIT as logRecordsPerSecond).
   */
  customQuotas: { maxDataTypes: number; maxInstruments: number; recordsPerSecond: number; logRecordsPerSecond: number };
  /** The CUSTOM stream's limits (CUSTOM_STREAM_MAX_BYTES, CUSTOM_MAX_MSGS_PER_SUBJECT), applied at bootstrap. */
  customStream: { maxBytes: number; maxMsgsPerSubject: number };
}

/** Raw option values: defaults, overridden by the environment, overridden by CLI flags. */
export function rawOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Record<OptionName, string> {
  const byFlag = new Map<string, OptionName>(Object.entries(OPTIONS).map(([name, spec]): [string, OptionName] => [spec.flag, name as OptionName]));
  const raw = Object.fromEntries(
    Object.entries(OPTIONS).map(([name, spec]) => [name, env[spec.env] ?? spec.default]),
  ) as Record<OptionName, string>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(", ")})`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    raw[name] = value;
  }
  return raw;
}

export function loadConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config {
  const raw = rawOptions(argv, env);
  const o = (name: OptionName) => OPTIONS[name].env;
  const roles = parseList(raw.roles).flatMap((r) => (r === "all" ? [...ROLES] : [parseChoice(o("roles"), r, ROLES)]));
  const symbols = parseList(raw.symbols).map((s) => s.toUpperCase());
  for (const s of symbols) if (!/^[A-Z0-9]{2,20}$/.test(s)) throw new ConfigError(`${o("symbols")}: "${s}" is not a symbol`);
  const dataDir = raw.dataDir;
  const config: Config = {
    natsUrl: raw.natsUrl === "" ? "" : parseUrl(o("natsUrl"), raw.natsUrl, ["nats:", "tls:", "ws:", "wss:"]),
    natsCredentials: natsCredentialsOf(raw),
    natsInboxPrefix: inboxPrefixOf(raw.natsInboxPrefix),
    nodeId: raw.nodeId === "" ? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "-") : raw.nodeId,
    roles: [...new Set(roles)],
    partitions: parseInteger(o("partitions"), raw.partitions, { min: 1, max: 4096 }),
    dataDir,
    heartbeatMs: parseDuration(o("heartbeat"), raw.heartbeat),
    memberTtlMs: parseDuration(o("memberTtl"), raw.memberTtl),
    leaseTtlMs: parseDuration(o("leaseTtl"), raw.leaseTtl),
    ingestOverlapMs: parseDuration(o("ingestOverlap"), raw.ingestOverlap),
    symbols,
    binanceWsUrl: parseUrl(o("binanceWsUrl"), raw.binanceWsUrl, ["ws:", "wss:"]),
    binanceRestUrl: raw.binanceRestUrl === "" ? restUrlFor(raw.binanceWsUrl) : parseUrl(o("binanceRestUrl"), raw.binanceRestUrl, ["http:", "https:"]),
    windowSizeMs: parseDuration(o("windowSize"), raw.windowSize),
    windowSlideMs: parseDuration(o("windowSlide"), raw.windowSlide),
    allowedLatenessMs: parseDuration(o("allowedLateness"), raw.allowedLateness),
    idleTimeoutMs: raw.idleTimeout === "" ? 2 * parseDuration(o("windowSlide"), raw.windowSlide) : parseDuration(o("idleTimeout"), raw.idleTimeout),
    lakeUri: raw.lakeUri || join(dataDir, "lake"),
    s3: {
      endpoint: raw.s3Endpoint,
      region: raw.s3Region,
      forcePathStyle: parseBoolean(o("s3ForcePathStyle"), raw.s3ForcePathStyle),
      accessKeyId: raw.s3AccessKeyId,
      secretAccessKey: raw.s3SecretAccessKey,
    },
    databaseUrl: raw.databaseUrl === "" ? "" : parseUrl(o("databaseUrl"), raw.databaseUrl, ["postgres:", "postgresql:"]),
    web: {
      host: raw.webHost,
      port: parseInteger(o("webPort"), raw.webPort, { min: 0, max: 65535 }),
      allowedHosts: asConfigError(() => parseAllowedHosts(parseList(raw.webAllowedHosts), o("webAllowedHosts"))),
      allowedOrigins: asConfigError(() => parseAllowedOrigins(parseList(raw.webAllowedOrigins), o("webAllowedOrigins"))),
      limits: {
        maxBodyBytes: parseInteger(o("webMaxBody"), raw.webMaxBody, { min: 1024, max: 1024 ** 3 }),
        maxBatch: parseInteger(o("webMaxBatch"), raw.webMaxBatch, { min: 20, max: 10_000 }),
        maxSubscriptions: parseInteger(o("webMaxSubscriptions"), raw.webMaxSubscriptions, { min: 1, max: 100_000 }),
        maxReplay: parseInteger(o("webMaxReplay"), raw.webMaxReplay, { min: 1, max: 100_000_000 }),
      },
    },
    readTokens: parseList(raw.readTokens),
    adminTokens: parseList(raw.adminTokens),
    adminMaxSkewMs: parseDuration(o("adminMaxSkew"), raw.adminMaxSkew),
    ingest: { apiKeys: asConfigError(() => parseApiKeys(raw.ingestApiKeys)), maxBodyBytes: parseInteger(o("ingestMaxBody"), raw.ingestMaxBody, { min: 1024, max: 1024 ** 3 }) },
    uploadChunkBytes: parseInteger(o("uploadChunk"), raw.uploadChunk, { min: 64 * 1024, max: 64 * 1024 ** 2 }),
    shutdownTimeoutMs: parseDuration(o("shutdownTimeout"), raw.shutdownTimeout),
    partitionStallMs: parseDuration(o("partitionStall"), raw.partitionStall),
    logLevel: parseChoice(o("logLevel"), raw.logLevel, LOG_LEVELS),
    metricsTopSymbols: parseInteger(o("metricsTopSymbols"), raw.metricsTopSymbols, { min: 0, max: 10_000 }),
    natsMonitorUrls: natsMonitorUrlsOf(raw.natsMonitorUrl),
    customTimeBounds: customTimeBoundsOf(raw),
    customQuotas: {
      maxDataTypes: parseInteger(o("customMaxDataTypes"), raw.customMaxDataTypes, { min: 1, max: 100_000 }),
      maxInstruments: parseInteger(o("customMaxInstruments"), raw.customMaxInstruments, { min: 1, max: 1_000_000 }),
      recordsPerSecond: parseInteger(o("ingestRateLimit"), raw.ingestRateLimit, { min: 0, max: 100_000_000 }),
      logRecordsPerSecond: parseInteger(o("customNatsRateLimit"), raw.customNatsRateLimit, { min: 0, max: 100_000_000 }),
    },
    customStream: {
      maxBytes: parseInteger(o("customStreamMaxBytes"), raw.customStreamMaxBytes, { min: 4096, max: 2 ** 50 }),
      maxMsgsPerSubject: parseInteger(o("customMaxMsgsPerSubject"), raw.customMaxMsgsPerSubject, { min: 1, max: 1_000_000_000 }),
    },
  };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.nodeId)) {
    throw new ConfigError(`${o("nodeId")}: "${config.nodeId}" may contain only letters, digits, _ and - (it is a NATS subject token and KV key)`);
  }
  if (config.windowSizeMs % config.windowSlideMs !== 0) {
    throw new ConfigError(`${o("windowSize")} (${config.windowSizeMs} ms) must be a multiple of ${o("windowSlide")} (${config.windowSlideMs} ms)`);
  }
  if (config.shutdownTimeoutMs < 1000 || config.shutdownTimeoutMs > 3_600_000) {
    throw new ConfigError(`${o("shutdownTimeout")}: ${config.shutdownTimeoutMs} ms is outside 1s..1h`);
  }
  if (config.partitionStallMs !== 0 && config.partitionStallMs < 1000) {
    throw new ConfigError(`${o("partitionStall")}: ${config.partitionStallMs} ms is below 1s (a pull alone may take 1 s; 0 turns the watchdog off)`);
  }
  if (config.adminMaxSkewMs < 1000 || config.adminMaxSkewMs > 600_000) {
    throw new ConfigError(`${o("adminMaxSkew")}: ${config.adminMaxSkewMs} ms is outside 1s..10m`);
  }
  if (config.heartbeatMs * 2 > config.memberTtlMs) {
    throw new ConfigError(`${o("memberTtl")} must be at least twice ${o("heartbeat")}`);
  }
  return config;
}

/** The effective configuration as `ENV=value` lines, secrets masked, for printing at start. */
export function describeConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = rawOptions(argv, env);
  return Object.entries(OPTIONS).map(([name, spec]) => {
    const value = raw[name as OptionName];
    const shown = "secret" in spec && spec.secret ? maskSecret(value) : value;
    return `${spec.env}=${shown === "" ? "(unset)" : shown}`;
  });
}

/**
 * NATS_USER / NATS_PASSWORD / NATS_TOKEN / NATS_CREDS / NATS_TLS_* as credentials, checked
 * against those in NATS_URL (one kind, given once) so a mistake is a ConfigError at start.
 */
function natsCredentialsOf(raw: Record<OptionName, string>): NatsCredentials {
  const set = (v: string) => (v === "" ? undefined : v);
  const explicit: NatsCredentials = {
    user: set(raw.natsUser),
    pass: set(raw.natsPassword),
    token: set(raw.natsToken),
    credsFile: set(raw.natsCreds),
    tls: { caFile: set(raw.natsTlsCa), certFile: set(raw.natsTlsCert), keyFile: set(raw.natsTlsKey) },
  };
  try {
    mergeCredentials(splitUrlCredentials(parseList(raw.natsUrl)).credentials, explicit);
  } catch (err) {
    if (err instanceof NatsCredentialsInvalid) throw new ConfigError(err.message);
    throw err;
  }
  return explicit;
}

function inboxPrefixOf(text: string): string {
  if (text !== "" && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(text)) throw new ConfigError(`${OPTIONS.natsInboxPrefix.env}: "${text}" is not a subject prefix (letters, digits, _ and -, tokens separated by dots)`);
  return text;
}

/** For the command-line tools: the NATS URL, credentials, inbox prefix and DATA_DIR from the environment (defaults as a node's). */
export function natsConnectionFromEnv(env: NodeJS.ProcessEnv = process.env, fallbackUrl = "nats://127.0.0.1:4222"): { url: string; credentials: NatsCredentials; inboxPrefix: string; dataDir: string } {
  const raw = rawOptions([], env);
  return { url: raw.natsUrl || fallbackUrl, credentials: natsCredentialsOf(raw), inboxPrefix: inboxPrefixOf(raw.natsInboxPrefix), dataDir: raw.dataDir };
}

/** Monitoring URLs, one per server: http(s), no credentials (the monitoring port has none), no duplicates. */
function natsMonitorUrlsOf(text: string): string[] {
  const option = OPTIONS.natsMonitorUrl.env;
  const urls = parseList(parseUrl(option, text, ["http:", "https:"]));
  for (const u of urls) if (new URL(u).username !== "") throw new ConfigError(`${option}: a URL carries credentials (user:password@); the NATS monitoring endpoint takes none`);
  return [...new Set(urls)];
}

/** A local simulator (ws://host:port) serves REST on the same port; Binance itself serves it at api.binance.com. */
function restUrlFor(wsUrl: string): string {
  const ws = new URL(parseList(wsUrl)[0] ?? wsUrl);
  return ws.protocol === "ws:" ? `http://${ws.host}` : "https://api.binance.com";
}

/** Parsers that live beside the code they configure throw their own errors (naming the option): as ConfigError here. */
function asConfigError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function customTimeBoundsOf(raw: Record<OptionName, string>): TimeBounds {
  const skew = OPTIONS.customMaxFutureSkew.env;
  const floor = OPTIONS.customMinEventTime.env;
  const maxFutureMs = parseDuration(skew, raw.customMaxFutureSkew);
  if (maxFutureMs > 7 * 24 * 3_600_000) throw new ConfigError(`${skew}: ${raw.customMaxFutureSkew} is over 7 days (it bounds clock skew, not scheduling)`);
  const minTimeMs = Date.parse(raw.customMinEventTime.trim());
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw.customMinEventTime.trim()) || !Number.isFinite(minTimeMs) || minTimeMs <= 0) {
    throw new ConfigError(`${floor}: "${raw.customMinEventTime}" is not a date after 1970 (examples: 2000-01-01, 2015-06-01T00:00:00Z)`);
  }
  return { maxFutureMs, minTimeMs };
}
