/**
 * Why a stream connection failed, in words a user can act on, and when that is worth a log line:
 * once when the feed starts failing or its cause changes, once when it connects again. Pure: the
 * client feeds it what the socket reported and logs what it returns.
 */

export type FailureKind = "dns" | "refused" | "timeout" | "tls" | "http-status" | "network" | "abnormal-close" | "closed" | "silent" | "unknown";

export interface ConnectionFailure {
  kind: FailureKind;
  /** Short cause text, e.g. "DNS lookup failed (ENOTFOUND)". */
  text: string;
}

/** What a socket reported before it closed. */
export interface FailureReport {
  /** The last `error` event's code (errno name) and message, if any. */
  error?: { code?: string | undefined; message?: string | undefined; errors?: unknown } | undefined;
  /** WebSocket close code (1006 = closed without a close frame). */
  closeCode: number;
  closeReason?: string;
  /** Whether the WebSocket handshake had completed. */
  opened: boolean;
  /** Set when we cut the socket ourselves, e.g. "silent". */
  localReason?: string | undefined;
}

const CLOSE_CODES: Record<number, string> = {
  1000: "normal",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1008: "policy violation",
  1009: "message too big",
  1011: "server error",
  1012: "service restart",
  1013: "try again later",
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|EPROTO$|HOSTNAME_MISMATCH$)/;

/** The error's code, or the first code of an AggregateError (Node's happy-eyeballs connect). */
function errorCode(error: FailureReport["error"]): string | undefined {
  if (error?.code) return error.code;
  if (Array.isArray(error?.errors)) {
    for (const e of error.errors as Array<{ code?: unknown }>) if (typeof e?.code === "string") return e.code;
  }
  return undefined;
}

export function classifyConnectionFailure(report: FailureReport): ConnectionFailure {
  if (report.localReason === "silent") return { kind: "silent", text: "no frame or ping from the server; cut and reconnecting" };
  const code = errorCode(report.error);
  const message = report.error?.message ?? "";
  const withCode = (text: string) => (code ? `${text} (${code})` : text);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") return { kind: "dns", text: withCode("DNS lookup failed") };
  if (code === "ECONNREFUSED") return { kind: "refused", text: withCode("connection refused") };
  if (code === "ETIMEDOUT" || /handshake has timed out/i.test(message)) return { kind: "timeout", text: withCode("connection timed out") };
  if (code !== undefined && TLS_CODE.test(code)) return { kind: "tls", text: withCode("TLS handshake failed") };
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status !== undefined) return { kind: "http-status", text: `server answered the WebSocket upgrade with HTTP ${status}` };
  if (code === "ENETUNREACH" || code === "EHOSTUNREACH" || code === "ENETDOWN" || code === "EHOSTDOWN") return { kind: "network", text: withCode("network unreachable") };
  if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up/i.test(message)) {
    return { kind: "abnormal-close", text: withCode(report.opened ? "connection dropped" : "connection dropped before the WebSocket handshake completed") };
  }
  if (report.closeCode === 1006) return { kind: "abnormal-close", text: report.opened ? "connection dropped without a close frame (code 1006)" : "connection closed before the WebSocket handshake completed (code 1006)" };
  if (report.closeCode !== 1005 && CLOSE_CODES[report.closeCode] !== undefined) {
    const reason = report.closeReason ? `: ${report.closeReason}` : "";
    return { kind: "closed", text: `closed by the server (code ${report.closeCode} ${CLOSE_CODES[report.closeCode]}${reason})` };
  }
  return { kind: "unknown", text: message ? withCode(message) : `connection closed (code ${report.closeCode})` };
}

export const DEFAULT_BINANCE_WS_HOST = "stream.binance.com";
export const OFFLINE_HINT = "Binance unreachable? Offline, try `npm run demo` (a local synthetic market)";

/** `host:port` of a WebSocket base URL (the URL as given when it does not parse). */
export function urlHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The WARN line for a failing feed; the offline hint when the URL is Binance's own. */
export function connectionProblemMessage(baseUrl: string, failure: ConnectionFailure): string {
  let hostname = "";
  try {
    hostname = new URL(baseUrl).hostname;
  } catch {
    // not a URL: no hint
  }
  const hint = hostname === DEFAULT_BINANCE_WS_HOST ? `. ${OFFLINE_HINT}` : "";
  return `cannot reach ${urlHost(baseUrl)}: ${failure.text}; retrying with backoff${hint}`;
}

export type ConnectionHealth =
  | { state: "starting" }
  | { state: "connected" }
  | { state: "failing"; kind: FailureKind; cause: string; failedAttempts: number };

export type HealthEvent = { type: "opened" } | { type: "failed"; failure: ConnectionFailure };

export type HealthLog = { level: "warn"; failure: ConnectionFailure } | { level: "info"; failedAttempts: number };

/** One log line per state change: failing (or failing for another cause) → WARN, connected again → INFO. */
export function nextHealth(health: ConnectionHealth, event: HealthEvent): { health: ConnectionHealth; log?: HealthLog } {
  switch (event.type) {
    case "opened":
      if (health.state === "failing") return { health: { state: "connected" }, log: { level: "info", failedAttempts: health.failedAttempts } };
      return { health: { state: "connected" } };
    case "failed": {
      const { kind, text } = event.failure;
      if (health.state === "failing" && health.kind === kind) return { health: { ...health, cause: text, failedAttempts: health.failedAttempts + 1 } };
      const failedAttempts = health.state === "failing" ? health.failedAttempts + 1 : 1;
      return { health: { state: "failing", kind, cause: text, failedAttempts }, log: { level: "warn", failure: event.failure } };
    }
  }
}
