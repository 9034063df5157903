import { test } from "node:test";
import assert from "node:assert/strict";
import { TradeHistory, tradeIdOf } from "../../src/simulator/trade-history.js";
import { decimalProduct, restTradeRow } from "../../src/simulator/rest-api.js";
import { parseBinanceRestTrade } from "../../src/market/binance-rest.js";
import { parseBinanceFrame } from "../../src/market/binance.js";
import { fetchTradesBetween, type BackfillOptions } from "../../src/ingest/backfill.js";
import { BackfillInvalidResponse, BackfillUnavailable } from "../../src/ingest/errors.js";
import { loadConfig, ConfigError } from "../../src/config/index.js";

const frame = (id: number, symbol = "BTCUSDT") => `{"e":"trade","E":${1_700_000_000_001 + id},"s":"${symbol}","t":${id},"p":"61837.63000000","q":"0.02000000","T":${1_700_000_000_000 + id},"m":true,"M":true}`;
const ids = (frames: string[]) => frames.map(tradeIdOf);

test("TradeHistory keeps at most perSymbol per symbol and maxTrades in all, oldest out first", () => {
  const h = new TradeHistory({ perSymbol: 5, maxTrades: 8 });
  for (let id = 1; id <= 7; id++) h.record("btcusdt@trade", frame(id));
  assert.deepEqual(h.range("BTCUSDT"), { firstId: 3, lastId: 7, count: 5 });
  for (let id = 1; id <= 4; id++) h.record("ethusdt@trade", frame(id, "ETHUSDT"));
  // 11 recorded, 2 already gone by the per-symbol bound: the total bound evicts the next-oldest BTCUSDT one.
  assert.equal(h.size, 8);
  assert.deepEqual(h.range("BTCUSDT"), { firstId: 4, lastId: 7, count: 4 });
  assert.deepEqual(ids(h.from("BTCUSDT", 0, 100)), [4, 5, 6, 7]);
  assert.deepEqual(ids(h.from("BTCUSDT", 6, 100)), [6, 7]);
  assert.deepEqual(ids(h.from("BTCUSDT", 5, 2)), [5, 6]);
  assert.deepEqual(ids(h.latest("ETHUSDT", 2)), [3, 4]);
  assert.deepEqual(h.from("SOLUSDT", 0, 10), []);
  h.record("btcusdt@trade", frame(6)); // not above the last kept: ignored
  h.record("btcusdt@depth", frame(99)); // not a trade stream
  assert.deepEqual(h.range("BTCUSDT"), { firstId: 4, lastId: 7, count: 4 });
});

test("TradeHistory stays bounded over many trades and compacts (5,000 symbols)", () => {
  const h = new TradeHistory({ perSymbol: 50, maxTrades: 20_000 });
  const next = new Map<number, number>();
  for (let k = 0; k < 200_000; k++) {
    const s = (k * 7919) % 5000;
    const id = (next.get(s) ?? 0) + 1;
    next.set(s, id);
    h.record(`s${s}usdt@trade`, frame(id, `S${s}USDT`));
  }
  assert.equal(h.size, 20_000);
  const r = h.range("S1USDT")!;
  assert.equal(r.lastId, next.get(1));
  assert.ok(r.count <= 50);
});

test("tradeIdOf reads the id without parsing; decimalProduct is exact to 8 decimals; restTradeRow is Binance's row", () => {
  assert.equal(tradeIdOf(frame(3735683259)), 3735683259);
  assert.ok(Number.isNaN(tradeIdOf('{"e":"trade","st":1}')));
  const table: Array<[string, string, string]> = [
    ["4.00000100", "12.00000000", "48.00001200"],
    ["61837.63000000", "0.02000000", "1236.75260000"],
    ["0.00000001", "0.00000001", "0.00000000"],
    ["3", "0.5", "1.50000000"],
  ];
  for (const [a, b, want] of table) assert.equal(decimalProduct(a, b), want, `${a} × ${b}`);
  assert.deepEqual(JSON.parse(restTradeRow(frame(28457))), { id: 28457, price: "61837.63000000", qty: "0.02000000", quoteQty: "1236.75260000", time: 1_700_000_028_457, isBuyerMaker: true, isBestMatch: true });
});

test("a REST row becomes the same Trade as the socket frame; bad rows name the REST field", () => {
  const ws = parseBinanceFrame(frame(5), 9);
  assert.equal(ws.kind, "trade");
  const rest = parseBinanceRestTrade(JSON.parse(restTradeRow(frame(5))), { symbol: "BTCUSDT", ingestTime: 9 });
  assert.equal(rest.kind, "trade");
  if (ws.kind !== "trade" || rest.kind !== "trade") return;
  assert.deepEqual(rest.trade, { ...ws.trade, eventTime: ws.trade.tradeTime });
  const good = { id: 1, price: "1.5", qty: "2", quoteQty: "3", time: 1_700_000_000_000, isBuyerMaker: false, isBestMatch: true };
  const cases: Array<[unknown, string]> = [
    [{ ...good, id: undefined }, "id"],
    [{ ...good, id: -1 }, "id"],
    [{ ...good, price: "abc" }, "price"],
    [{ ...good, price: 1.5 }, "price"],
    [{ ...good, qty: "0" }, "qty"],
    [{ ...good, time: "now" }, "time"],
    [{ ...good, isBuyerMaker: "yes" }, "isBuyerMaker"],
  ];
  for (const [row, field] of cases) {
    const r = parseBinanceRestTrade(row, { symbol: "BTCUSDT", ingestTime: 0 });
    assert.ok(r.kind === "invalid" && r.reason.field === field && r.reason.message.includes(`REST field "${field}"`), `${JSON.stringify(row)} → ${JSON.stringify(r)}`);
  }
  assert.equal(parseBinanceRestTrade([1], { symbol: "BTCUSDT", ingestTime: 0 }).kind, "invalid");
});

/** A fetch that answers each call with the next of `answers`. */
function scripted(answers: Array<() => Response>): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const f = (async (url: string | URL | Request) => {
    calls.push(String(url));
    const next = answers.shift();
    if (next === undefined) throw new Error("no more scripted answers");
    return next();
  }) as typeof fetch;
  return { fetch: f, calls };
}

const row = (id: number) => ({ id, price: "1.00000000", qty: "2.00000000", quoteQty: "2.00000000", time: 1_700_000_000_000 + id, isBuyerMaker: true, isBestMatch: true });
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => () => new Response(JSON.stringify(body), { status, headers });
const base: BackfillOptions = { restUrl: "http://127.0.0.1:1", source: "binance", symbol: "BTCUSDT", fromId: 10, toId: 12, backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 } };

test("backfill: 418/429 are retried after Retry-After, 5xx and network errors with backoff, then BackfillUnavailable", async () => {
  const ok = scripted([json({ code: -1003, msg: "banned" }, 418, { "retry-after": "0" }), json({}, 503), () => { throw new TypeError("fetch failed"); }, json([row(10), row(11), row(12)])]);
  const r = await fetchTradesBetween({ ...base, fetch: ok.fetch });
  assert.deepEqual(r.trades.map((t) => t.tradeId), [10, 11, 12]);
  assert.equal(r.requests, 4);
  assert.match(ok.calls[0]!, /\/api\/v3\/historicalTrades\?symbol=BTCUSDT&fromId=10&limit=3$/);
  const down = scripted([json({}, 502), json({}, 502), json({}, 502)]);
  await assert.rejects(fetchTradesBetween({ ...base, fetch: down.fetch, maxAttempts: 3 }), (err: unknown) => err instanceof BackfillUnavailable && err.retryable && /HTTP 502/.test(err.message));
});

test("backfill: a bad row, descending ids or a body that is not an array is BackfillInvalidResponse, never skipped", async () => {
  const bodies: Array<[unknown, RegExp]> = [
    [[row(10), { ...row(11), price: "1e5" }], /row 1 .*REST field "price"/],
    [[row(11), row(10)], /row 1 .*id 10 is not above 11/],
    [[row(9)], /id 9 is not above 9/],
    [{ code: 0 }, /not a JSON array/],
  ];
  for (const [body, message] of bodies) {
    const s = scripted([json(body)]);
    await assert.rejects(fetchTradesBetween({ ...base, fetch: s.fetch }), (err: unknown) => err instanceof BackfillInvalidResponse && !err.retryable && message.test(err.message), JSON.stringify(body));
  }
});

test("backfill: options are checked before any request", async () => {
  const bad: Array<[Partial<BackfillOptions>, RegExp]> = [
    [{ toId: 9 }, /toId must be an integer >= fromId/],
    [{ fromId: -1 }, /fromId must be an integer >= 0/],
    [{ symbol: "btcusdt" }, /not an upper-case Binance symbol/],
    [{ restUrl: "ws://127.0.0.1:1" }, /must use http: or https:/],
    [{ pageSize: 1001 }, /pageSize must be 1\.\.1000/],
  ];
  for (const [patch, message] of bad) await assert.rejects(fetchTradesBetween({ ...base, ...patch }), (err: unknown) => err instanceof RangeError && message.test(err.message));
});

test("config: BINANCE_REST_URL defaults to api.binance.com, follows a local ws:// simulator, and is validated", () => {
  assert.equal(loadConfig([], {}).binanceRestUrl, "https://api.binance.com");
  assert.equal(loadConfig([], { BINANCE_WS_URL: "ws://127.0.0.1:4100" }).binanceRestUrl, "http://127.0.0.1:4100");
  assert.equal(loadConfig(["--binance-rest-url", "http://10.0.0.1:8080"], { BINANCE_WS_URL: "ws://127.0.0.1:4100" }).binanceRestUrl, "http://10.0.0.1:8080");
  assert.throws(() => loadConfig([], { BINANCE_REST_URL: "ftp://x" }), (err: unknown) => err instanceof ConfigError && /BINANCE_REST_URL/.test(err.message));
});
