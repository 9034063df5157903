/**
 * Binance's spot REST trade endpoints on the simulator's port, served from its TradeHistory:
 * `GET /api/v3/historicalTrades?symbol=&fromId=&limit=` and `GET /api/v3/trades?symbol=&limit=`
 * (limit default 500, 1..1000), weight 25 each against a per-IP budget per fixed interval
 * (Binance: 6000 per minute) with the `X-MBX-USED-WEIGHT-<interval>` header, 429 + Retry-After
 * beyond it, and Binance's error bodies (-1100 bad parameter, -1102 missing, -1121 invalid symbol).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TradeHistory } from "./trade-history.js";

export const TRADES_WEIGHT = 25;

export interface RestBackend {
  /** The source's streams: a symbol is valid when `<symbol>@trade` is one of them. */
  streams: ReadonlySet<string>;
  history: TradeHistory;
  weight: RestWeightBudget;
}

/**
 * Request weight per client IP in fixed intervals, as Binance counts it. Binance's intervals are
 * calendar minutes; these start at the budget's creation, so a test's budget never resets by chance.
 */
export class RestWeightBudget {
  readonly limit: number;
  readonly intervalMs: number;
  /** e.g. "x-mbx-used-weight-1m" for 60 s, "x-mbx-used-weight-1s" for 1 s. */
  readonly header: string;
  readonly origin: number;
  #interval = -1;
  #used = new Map<string, number>();

  constructor(limit: number, intervalMs: number, origin = Date.now()) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`restWeightLimit must be an integer >= 1, got ${limit}`);
    this.limit = limit;
    this.intervalMs = intervalMs;
    this.origin = origin;
    this.header = `x-mbx-used-weight-${intervalName(intervalMs)}`;
  }

  /** Charges `weight` to `ip` at `now`; over the budget nothing is charged and `retryAfterMs` says until when. */
  take(ip: string, weight: number, now: number): { used: number; retryAfterMs: number | null } {
    const interval = Math.floor((now - this.origin) / this.intervalMs);
    if (interval !== this.#interval) {
      this.#interval = interval;
      this.#used.clear();
    }
    const used = this.#used.get(ip) ?? 0;
    if (used + weight > this.limit) return { used, retryAfterMs: this.origin + (interval + 1) * this.intervalMs - now };
    this.#used.set(ip, used + weight);
    return { used: used + weight, retryAfterMs: null };
  }
}

function intervalName(ms: number): string {
  const units: Array<[string, number]> = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  throw new RangeError(`restWeightIntervalMs must be a whole number of seconds, got ${ms}`);
}

class ParamError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function handleRestRequest(backend: RestBackend, url: URL, req: IncomingMessage, res: ServerResponse): boolean {
  const historical = url.pathname === "/api/v3/historicalTrades";
  if (req.method !== "GET" || (!historical && url.pathname !== "/api/v3/trades")) return false;
  const weight = backend.weight.take(req.socket.remoteAddress ?? "?", TRADES_WEIGHT, Date.now());
  const reply = (status: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json;charset=UTF-8", [backend.weight.header]: String(weight.used), ...extra });
    res.end(body);
  };
  if (weight.retryAfterMs !== null) {
    const msg = `Too much request weight used; current limit is ${backend.weight.limit} request weight per ${backend.weight.header.slice(18).toUpperCase()}. Please use WebSocket Streams for live updates to avoid polling the API.`;
    reply(429, JSON.stringify({ code: -1003, msg }), { "retry-after": String(Math.ceil(weight.retryAfterMs / 1000)) });
    return true;
  }
  try {
    const symbol = requiredSymbol(url, backend.streams);
    const limit = integerParam(url, "limit", 500, 1, 1000);
    const fromId = historical ? integerParam(url, "fromId", -1, 0, Number.MAX_SAFE_INTEGER) : -1;
    const frames = fromId >= 0 ? backend.history.from(symbol, fromId, limit) : backend.history.latest(symbol, limit);
    reply(200, `[${frames.map(restTradeRow).join(",")}]`);
  } catch (err) {
    if (!(err instanceof ParamError)) throw err;
    reply(400, JSON.stringify({ code: err.code, msg: err.message }));
  }
  return true;
}

function requiredSymbol(url: URL, streams: ReadonlySet<string>): string {
  const symbol = url.searchParams.get("symbol");
  if (symbol === null || symbol === "") throw new ParamError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  if (!/^[A-Z0-9-_.]{1,20}$/.test(symbol)) throw new ParamError(-1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.");
  if (!streams.has(`${symbol.toLowerCase()}@trade`)) throw new ParamError(-1121, "Invalid symbol.");
  return symbol;
}

function integerParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new ParamError(-1100, `Illegal characters found in parameter '${name}'; legal range is '${min}..${max}'.`);
  return value;
}

/** A raw trade event (`{"e":"trade",…,"t","p","q","T","m","M"}`) as a REST row. */
export function restTradeRow(frame: string): string {
  const d = JSON.parse(frame) as { t: number; p: string; q: string; T: number; m: boolean; M?: boolean };
  return `{"id":${d.t},"price":${JSON.stringify(d.p)},"qty":${JSON.stringify(d.q)},"quoteQty":"${decimalProduct(d.p, d.q)}","time":${d.T},"isBuyerMaker":${d.m},"isBestMatch":${d.M ?? true}}`;
}

/** `a × b` of two plain decimal strings, exact, cut to 8 decimals (Binance's quote precision). */
export function decimalProduct(a: string, b: string): string {
  const [ai, as] = splitDecimal(a);
  const [bi, bs] = splitDecimal(b);
  const scale = as + bs;
  let digits = (ai * bi).toString();
  if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits;
  const whole = digits.slice(0, digits.length - scale);
  const fraction = (digits.slice(digits.length - scale) + "00000000").slice(0, 8);
  return `${whole}.${fraction}`;
}

function splitDecimal(text: string): [bigint, number] {
  const dot = text.indexOf(".");
  if (dot < 0) return [BigInt(text), 0];
  return [BigInt(text.slice(0, dot) + text.slice(dot + 1)), text.length - dot - 1];
}
