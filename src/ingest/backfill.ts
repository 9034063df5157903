/**
 * REST backfill of a trade-id range: `GET /api/v3/historicalTrades?symbol=&fromId=&limit=1000`
 * page after page until `toId` or until the exchange has no more. Rows are converted by the
 * WebSocket path's parser (../binance-rest.ts), so a backfilled trade equals the socket's; a bad
 * row is an error, never skipped. Ids the exchange did not return are reported as ranges, so the
 * caller counts an unrecoverable hole instead of believing the range complete.
 */
import type { Trade } from "../market/trade.js";
import { parseBinanceRestTrade } from "../market/binance-rest.js";
import { systemClock, sleep, type Clock } from "../runtime/clock.js";
import { SlidingWindowLimiter } from "./rate-limiter.js";
import { RestGate, type RestPriority } from "./rest-gate.js";
import { backoffDelay, type BackoffPolicy } from "../runtime/backoff.js";
import { defaultBackoff } from "./backoff.js";
import { BackfillInvalidResponse, BackfillRateLimited, BackfillRejected, BackfillUnavailable } from "./errors.js";

/** Binance's request weight of `historicalTrades` (and of `trades`). */
export const HISTORICAL_TRADES_WEIGHT = 25;
/** Binance's largest page. */
export const MAX_TRADES_PAGE = 1000;

export interface IdRange {
  fromId: number;
  toId: number;
  /** toId − fromId + 1 */
  missing: number;
}

export interface BackfillResult {
  /** Trades with ids in [fromId, toId], ascending. */
  trades: Trade[];
  /** Ids in [fromId, toId] the exchange did not return (older than its history, not there yet), ascending; [] when complete. */
  unavailable: IdRange[];
  /** Sum of `unavailable[].missing`: (toId − fromId + 1) − trades.length. */
  missing: number;
  /** HTTP requests made, retries included. */
  requests: number;
}

export interface BackfillOptions {
  /** e.g. https://api.binance.com, or the simulator's http://127.0.0.1:<port> (config `binanceRestUrl`). */
  restUrl: string;
  /** `Trade.source` of the result, e.g. "binance". */
  source: string;
  /** Upper case, e.g. "BTCUSDT". */
  symbol: string;
  /** First and last id wanted, inclusive. */
  fromId: number;
  toId: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Turns under the weight limit; share one per node (Binance counts per IP). Default: a fresh gate over `restWeightLimiter()`. */
  gate?: RestGate;
  /** This request's place in the gate's queue: "fill" (default) goes before "catch-up". */
  priority?: RestPriority;
  /** Stamps `ingestTime` and times the waits. Default: the system clock. */
  clock?: Clock;
  signal?: AbortSignal;
  /** Rows per request, 1..1000. Default 1000. */
  pageSize?: number;
  /** Attempts per page (network failure, 5xx, 429/418) before giving up. Default 5. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for: BackfillRateLimited at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Waits after network failures and 5xx (and 429 without Retry-After). Default: 500 ms × 2ⁿ, cap 30 s. */
  backoff?: BackoffPolicy;
}

/** A limiter that keeps requests of weight 25 within `weightPerMinute` (Binance: 6000) over any sliding minute. */
export function restWeightLimiter(weightPerMinute = 6000): SlidingWindowLimiter {
  return new SlidingWindowLimiter(Math.max(1, Math.floor(weightPerMinute / HISTORICAL_TRADES_WEIGHT)), 60_000);
}

export async function fetchTradesBetween(options: BackfillOptions): Promise<BackfillResult> {
  const o = resolve(options);
  const result: BackfillResult = { trades: [], unavailable: [], missing: 0, requests: 0 };
  const hole = (fromId: number, toId: number) => {
    if (fromId > toId) return;
    result.unavailable.push({ fromId, toId, missing: toId - fromId + 1 });
    result.missing += toId - fromId + 1;
  };
  let cursor = options.fromId;
  while (cursor <= options.toId) {
    const limit = Math.min(o.pageSize, options.toId - cursor + 1);
    const url = `${o.base}/api/v3/historicalTrades?symbol=${options.symbol}&fromId=${cursor}&limit=${limit}`;
    const rows = await requestPage(url, o, result);
    if (rows.length > limit) throw new BackfillInvalidResponse(`GET ${url} returned ${rows.length} rows, more than limit ${limit}`);
    const ingestTime = o.clock.now();
    let last = cursor - 1;
    let beyond = false;
    for (let i = 0; i < rows.length; i++) {
      const parsed = parseBinanceRestTrade(rows[i], { symbol: options.symbol, ingestTime, source: options.source });
      if (parsed.kind === "invalid") throw new BackfillInvalidResponse(`row ${i} of GET ${url}: ${parsed.reason.message}`);
      const id = parsed.trade.tradeId;
      if (id <= last) throw new BackfillInvalidResponse(`row ${i} of GET ${url}: id ${id} is not above ${last} (ids must ascend from fromId)`);
      if (id > options.toId) {
        beyond = true;
        break;
      }
      hole(last + 1, id - 1);
      result.trades.push(parsed.trade);
      last = id;
    }
    if (last >= options.toId) break;
    if (beyond || rows.length < limit) {
      // The exchange has nothing more in the range (now): the rest is a hole.
      hole(last + 1, options.toId);
      break;
    }
    cursor = last + 1;
  }
  return result;
}

interface Resolved {
  base: string;
  fetch: typeof fetch;
  gate: RestGate;
  priority: RestPriority;
  clock: Clock;
  signal: AbortSignal;
  pageSize: number;
  maxAttempts: number;
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  backoff: BackoffPolicy;
}

function resolve(options: BackfillOptions): Resolved {
  const { fromId, toId, symbol, restUrl } = options;
  if (!Number.isSafeInteger(fromId) || fromId < 0) throw new RangeError(`backfill: fromId must be an integer >= 0, got ${fromId}`);
  if (!Number.isSafeInteger(toId) || toId < fromId) throw new RangeError(`backfill: toId must be an integer >= fromId (${fromId}), got ${toId}`);
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) throw new RangeError(`backfill: symbol "${symbol}" is not an upper-case Binance symbol`);
  let url: URL;
  try {
    url = new URL(restUrl);
  } catch {
    throw new RangeError(`backfill: restUrl "${restUrl}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new RangeError(`backfill: restUrl "${restUrl}" must use http: or https:`);
  const pageSize = options.pageSize ?? MAX_TRADES_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_TRADES_PAGE) throw new RangeError(`backfill: pageSize must be 1..${MAX_TRADES_PAGE}, got ${pageSize}`);
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`backfill: maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  return {
    base: restUrl.replace(/\/+$/, ""),
    fetch: options.fetch ?? globalThis.fetch,
    gate: options.gate ?? new RestGate(restWeightLimiter(), options.clock),
    priority: options.priority ?? "fill",
    clock: options.clock ?? systemClock,
    signal: options.signal ?? new AbortController().signal,
    pageSize,
    maxAttempts,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    backoff: options.backoff ?? defaultBackoff,
  };
}

/** One page's rows, after waiting for a turn and retrying what may heal. */
async function requestPage(url: string, o: Resolved, result: BackfillResult): Promise<unknown[]> {
  for (let attempt = 1; ; attempt++) {
    await o.gate.turn(o.priority, o.signal);
    result.requests++;
    let status: number, body: string, retryAfter: string | null;
    try {
      const res = await o.fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.requestTimeoutMs)]) });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      body = await res.text();
    } catch (err) {
      o.signal.throwIfAborted();
      if (attempt >= o.maxAttempts) throw new BackfillUnavailable(`GET ${url}: ${(err as Error).message} (${attempt} attempts)`, { cause: err });
      await pause(o, backoffDelay(attempt - 1, o.backoff, Math.random));
      continue;
    }
    if (status === 200) return parseRows(url, body);
    if (status === 429 || status === 418) {
      const seconds = retryAfter === null ? NaN : Number(retryAfter);
      const waitMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : backoffDelay(attempt - 1, o.backoff, Math.random);
      if (attempt >= o.maxAttempts || waitMs > o.maxRetryAfterMs) throw new BackfillRateLimited(status, waitMs, errorMessage(body));
      await pause(o, waitMs);
      continue;
    }
    if (status >= 500) {
      if (attempt >= o.maxAttempts) throw new BackfillUnavailable(`GET ${url}: HTTP ${status}: ${errorMessage(body)} (${attempt} attempts)`);
      await pause(o, backoffDelay(attempt - 1, o.backoff, Math.random));
      continue;
    }
    throw new BackfillRejected(status, errorCode(body), `GET ${url}: ${errorMessage(body)}`);
  }
}

/** Sleeps `ms` on the clock; throws the abort reason if the signal aborts. */
async function pause(o: Resolved, ms: number): Promise<void> {
  await sleep(o.clock, ms, o.signal);
  o.signal.throwIfAborted();
}

function parseRows(url: string, body: string): unknown[] {
  let rows: unknown;
  try {
    rows = JSON.parse(body);
  } catch (err) {
    throw new BackfillInvalidResponse(`GET ${url}: body is not JSON: ${body.slice(0, 200)}`, { cause: err });
  }
  if (!Array.isArray(rows)) throw new BackfillInvalidResponse(`GET ${url}: body is not a JSON array: ${body.slice(0, 200)}`);
  return rows;
}

function errorBody(body: string): { code?: unknown; msg?: unknown } {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function errorCode(body: string): number | null {
  const code = errorBody(body).code;
  return typeof code === "number" ? code : null;
}

function errorMessage(body: string): string {
  const msg = errorBody(body).msg;
  return typeof msg === "string" ? msg : body.slice(0, 200);
}
