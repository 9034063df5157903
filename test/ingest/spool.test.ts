import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseBinanceFrame } from "../../src/market/binance.js";
import { TradeLogPublisher } from "../../src/ingest/publisher.js";
import type { Trade } from "../../src/market/trade.js";
import { waitFor } from "../helpers/wait.js";
import { FIRST_ID, RECORDING, contiguityProblem, log, readTrades, startStack } from "./support.js";

function recordedTrades(n: number): Trade[] {
  return readFileSync(RECORDING, "utf8").trim().split("\n").slice(0, n).map((l) => {
    const f = parseBinanceFrame(l, 1);
    if (f.kind !== "trade") throw new Error("recording row is not a trade");
    return f.trade;
  });
}

test("a full spool reports backpressure; once NATS is back it drains in order, pressure lifts, nothing lost or doubled", async () => {
  await using stack = await startStack();
  const trades = recordedTrades(12000);
  const p = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log, spoolMaxBytes: 64 * 1024, spoolSegmentBytes: 16 * 1024, publishTimeoutMs: 500, probeIntervalMs: 100, maxBatchTrades: 100 });
  const pressure: boolean[] = [];
  p.pressure.add((on) => pressure.push(on));
  await p.prime("binance", ["BTCUSDT"]);
  for (const t of trades.slice(0, 1000)) p.accept(t);
  await p.flush();
  await stack.server.kill();
  let i = 1000;
  // Feed like a paused socket would: stop as soon as the publisher says so.
  await waitFor(() => {
    for (let k = 0; k < 100 && i < trades.length && !p.paused; k++) p.accept(trades[i++]!);
    return p.paused;
  }, { timeoutMs: 30_000, what: "spool full → backpressure" });
  assert.equal(p.mode, "spooling");
  assert.ok(p.spool.bytes >= 64 * 1024);
  assert.ok(i < trades.length, "stopped feeding before the end");
  await stack.server.restart();
  await waitFor(() => !p.paused, { timeoutMs: 30_000, what: "pressure lifted" });
  while (i < trades.length) p.accept(trades[i++]!);
  await p.flush();
  assert.deepEqual(pressure.slice(0, 2), [true, false]);
  assert.equal(p.status().spool.records, 0);
  await p.close();
  assert.equal(contiguityProblem(await readTrades(stack.nc), FIRST_ID, FIRST_ID + 11999), null);
});

test("a publisher closed while NATS is down leaves its batches on disk; the next one publishes them first, once", async () => {
  await using stack = await startStack();
  const trades = recordedTrades(3000);
  const a = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log, publishTimeoutMs: 500, maxBatchTrades: 200 });
  await a.prime("binance", ["BTCUSDT"]);
  for (const t of trades.slice(0, 1000)) a.accept(t);
  await a.flush();
  await stack.server.kill();
  for (const t of trades.slice(1000, 2000)) a.accept(t);
  await a.close(3000);
  assert.ok(a.spool.records > 0 || a.status().spool.spooledBatches > 0);
  await stack.server.restart();

  // The restarted ingestor sees 1500..3000 again (overlap): 1500..2000 are in its spool, not the stream.
  const b = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log });
  for (const t of trades.slice(1500)) b.accept(t);
  await b.flush();
  const st = b.status();
  assert.equal(st.duplicatesDropped, 500);
  assert.equal(st.gaps, 0);
  await b.close();
  assert.equal(contiguityProblem(await readTrades(stack.nc), FIRST_ID, FIRST_ID + 2999), null);
});
