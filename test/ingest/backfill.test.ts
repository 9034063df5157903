import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { MarketSimulator, type SimulatorOptions } from "../../src/simulator/server.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import { parseBinanceFrame } from "../../src/market/binance.js";
import { fetchTradesBetween } from "../../src/ingest/backfill.js";
import { SlidingWindowLimiter } from "../../src/ingest/rate-limiter.js";
import { RestGate } from "../../src/ingest/rest-gate.js";
import { BackfillRateLimited, BackfillRejected } from "../../src/ingest/errors.js";
import type { Trade } from "../../src/market/trade.js";
import { systemClock } from "../../src/runtime/clock.js";
import { waitFor } from "../helpers/wait.js";

const START_ID = 1_000_000;
const restUrl = (sim: MarketSimulator) => `http://127.0.0.1:${sim.port}`;

/** A simulator whose BTCUSDT trades are all read from a socket; resolves once the source is exhausted. */
async function runMarket(options: Partial<SimulatorOptions> & { total: number; rate?: number | "max"; symbols?: string[] }, during?: (sim: MarketSimulator, got: Trade[]) => Promise<void>) {
  const source = new SyntheticSource({ symbols: options.symbols ?? ["BTCUSDT"], tradesPerSecond: options.rate ?? "max", totalTrades: options.total, seed: 7 });
  const sim = await MarketSimulator.start({ ...options, source });
  const ws = new WebSocket(`${sim.url}/stream?streams=btcusdt@trade`);
  const got: Trade[] = [];
  ws.on("message", (d) => {
    const f = parseBinanceFrame(d.toString(), Date.now());
    if (f.kind === "trade") got.push(f.trade);
  });
  await new Promise((r) => ws.once("open", r));
  if (during) await during(sim, got);
  await sim.whenEnded();
  ws.close();
  return { sim, got };
}

/** The fields the exchange knows (not our receive time; REST has no event time). */
const exchangeView = (t: Trade) => ({ ...t, eventTime: 0, ingestTime: 0 });

test("a backfill spanning several pages equals what the socket delivered", async () => {
  const { sim, got } = await runMarket({ total: 7000, symbols: ["BTCUSDT", "ETHUSDT"] });
  await using _ = sim;
  assert.ok(got.length > 2500, `socket delivered ${got.length}`);
  const first = got[0]!.tradeId, last = got.at(-1)!.tradeId;
  const r = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: first, toId: last, clock: { ...systemClock, now: () => 42 } });
  assert.deepEqual(r.unavailable, []);
  assert.equal(r.missing, 0);
  assert.equal(r.requests, Math.ceil(got.length / 1000));
  assert.deepEqual(r.trades.map(exchangeView), got.map(exchangeView));
  for (const t of r.trades) assert.ok(t.eventTime === t.tradeTime && t.ingestTime === 42);
});

test("a forced gap on the socket is recovered by REST", async () => {
  const { sim, got } = await runMarket({ total: 4000, rate: 2000 }, async (s, got) => {
    await waitFor(() => got.length >= 500, { what: "500 trades on the socket", timeoutMs: 60_000 });
    s.forceGap(300, "btcusdt@trade");
  });
  await using _ = sim;
  assert.equal(sim.stats().tradesSkipped, 300);
  const jump = got.findIndex((t, i) => i > 0 && t.tradeId !== got[i - 1]!.tradeId + 1);
  assert.ok(jump > 0, "the socket shows an id gap");
  const fromId = got[jump - 1]!.tradeId + 1, toId = got[jump]!.tradeId - 1;
  assert.equal(toId - fromId + 1, 300);
  const r = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId, toId });
  assert.deepEqual(r.unavailable, []);
  const merged = [...got.slice(0, jump), ...r.trades, ...got.slice(jump)].map((t) => t.tradeId);
  assert.deepEqual(merged, Array.from({ length: 4000 }, (_, i) => START_ID + i));
});

test("an unknown symbol is BackfillRejected with Binance's -1121; bad parameters answer -1100 / -1102 with the weight header", async () => {
  await using sim = await MarketSimulator.start({ source: new SyntheticSource({ symbols: ["BTCUSDT"], tradesPerSecond: 10 }) });
  await assert.rejects(
    fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "NOPEUSDT", fromId: 1, toId: 5 }),
    (err: unknown) => err instanceof BackfillRejected && err.status === 400 && err.code === -1121 && !err.retryable && /Invalid symbol/.test(err.message),
  );
  const cases: Array<[string, number]> = [["symbol=BTCUSDT&limit=1001", -1100], ["symbol=BTCUSDT&fromId=-3", -1100], ["symbol=btcusdt", -1100], ["limit=5", -1102]];
  for (const [query, code] of cases) {
    const res = await fetch(`${restUrl(sim)}/api/v3/historicalTrades?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal(((await res.json()) as { code: number }).code, code, query);
    assert.match(res.headers.get("x-mbx-used-weight-1m") ?? "", /^\d+$/);
  }
  const empty = await fetch(`${restUrl(sim)}/api/v3/trades?symbol=BTCUSDT`);
  assert.equal(empty.status, 200);
  assert.ok(Array.isArray(await empty.json()));
});

test("429 with Retry-After from a tiny weight budget is waited out", async () => {
  const { sim, got } = await runMarket({ total: 300, restWeightLimit: 25, restWeightIntervalMs: 2000 });
  await using _ = sim;
  const first = got[0]!.tradeId, last = got.at(-1)!.tradeId;
  const r = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: first, toId: last, pageSize: 100 });
  assert.deepEqual(r.trades.map((t) => t.tradeId), got.map((t) => t.tradeId));
  // One request per 2 s interval: three pages cannot all pass without a 429 and its wait.
  assert.ok(r.requests > 3, `3 pages and at least one 429 retry, made ${r.requests} requests`);
  // Use up the interval's budget, then refuse to wait.
  let res: Response;
  do res = await fetch(`${restUrl(sim)}/api/v3/trades?symbol=BTCUSDT&limit=1`);
  while (res.status === 200);
  assert.equal(res.status, 429);
  assert.match(res.headers.get("retry-after") ?? "", /^[12]$/);
  assert.equal(res.headers.get("x-mbx-used-weight-2s"), "25");
  assert.equal(((await res.json()) as { code: number }).code, -1003);
});

test("a Retry-After beyond maxRetryAfterMs (default 60 s) is BackfillRateLimited at once, not a long wait", async () => {
  const { sim, got } = await runMarket({ total: 100, restWeightLimit: 25, restWeightIntervalMs: 3_600_000 });
  await using _ = sim;
  const range = { restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: got[0]!.tradeId, toId: got.at(-1)!.tradeId };
  assert.equal((await fetchTradesBetween(range)).trades.length, 100);
  await assert.rejects(fetchTradesBetween(range), (err: unknown) => err instanceof BackfillRateLimited && err.status === 429 && err.retryable && err.retryAfterMs > 60_000);
});

test("the client's weight limiter (through the node's REST gate) spaces requests before the exchange has to refuse them", async () => {
  const { sim, got } = await runMarket({ total: 300 });
  await using _ = sim;
  const limiter = new SlidingWindowLimiter(1, 400);
  limiter.tryTake(Date.now());
  const before = Date.now();
  const r = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: got[0]!.tradeId, toId: got.at(-1)!.tradeId, pageSize: 100, gate: new RestGate(limiter) });
  assert.equal(r.trades.length, got.length);
  assert.equal(r.requests, 3);
  // Three requests, each one window after the previous take: the limiter, not the server, paced them.
  assert.ok(Date.now() - before >= 3 * 400 - 50, `took ${Date.now() - before} ms`);
});

test("bounded history: ids older than what the simulator kept, or not there yet, come back as unavailable ranges", async () => {
  const { sim, got } = await runMarket({ total: 3000, historyPerSymbol: 1000 });
  await using _ = sim;
  assert.equal(got.length, 3000);
  assert.deepEqual(sim.rest.history.range("BTCUSDT"), { firstId: START_ID + 2000, lastId: START_ID + 2999, count: 1000 });
  const old = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: START_ID, toId: START_ID + 2499 });
  assert.deepEqual(old.unavailable, [{ fromId: START_ID, toId: START_ID + 1999, missing: 2000 }]);
  assert.equal(old.missing, 2000);
  assert.deepEqual(old.trades.map((t) => t.tradeId), Array.from({ length: 500 }, (_, i) => START_ID + 2000 + i));
  const future = await fetchTradesBetween({ restUrl: restUrl(sim), source: "binance", symbol: "BTCUSDT", fromId: START_ID + 2990, toId: START_ID + 3009 });
  assert.equal(future.trades.length, 10);
  assert.deepEqual(future.unavailable, [{ fromId: START_ID + 3000, toId: START_ID + 3009, missing: 10 }]);
});
