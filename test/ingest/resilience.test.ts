import { test } from "node:test";
import assert from "node:assert/strict";
import { Ingestor } from "../../src/ingest/ingestor.js";
import { MarketSimulator } from "../../src/simulator/server.js";
import { ReplaySource } from "../../src/simulator/replay-source.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import { closedInOrder } from "../helpers/dispose.js";
import { waitFor } from "../helpers/wait.js";
import { FIRST_ID, LAST_ID, RECORDING, contiguityProblem, log, readStream, readTrades, startStack } from "./support.js";

test("a 10-second NATS outage during ingest loses no trade and duplicates none", async () => {
  await using stack = await startStack();
  // ×40 replays the 11-minute recording in ~16 s, so the outage falls in the middle of it.
  const source = await ReplaySource.load(RECORDING, 40);
  await using sim = await MarketSimulator.start({ source });
  const ingestor = await Ingestor.start(stack.nc, { client: { baseUrl: sim.url, symbols: ["BTCUSDT"], log }, publisher: { spoolDir: stack.spoolDir, log, publishTimeoutMs: 1000, probeIntervalMs: 200 } });
  try {
    await waitFor(() => ingestor.publisher.status().published > 500, { timeoutMs: 30_000, what: "trades flowing" });
    await stack.server.kill();
    const killedAt = Date.now();
    await waitFor(() => ingestor.publisher.status().spool.spooledBatches > 3, { timeoutMs: 30_000, what: "batches spooled to disk" });
    await waitFor(() => Date.now() - killedAt >= 10_000, { timeoutMs: 20_000, intervalMs: 200, what: "a 10 s outage" });
    const during = ingestor.publisher.status();
    assert.notEqual(during.mode, "direct");
    assert.ok(during.spool.bytes > 0);
    await stack.server.restart();
    await sim.whenEnded();
    await waitFor(() => ingestor.publisher.status().accepted === source.rows.length, { timeoutMs: 60_000, what: "all trades accepted" });
    await waitFor(async () => {
      await ingestor.publisher.flush();
      return true;
    }, { timeoutMs: 60_000, what: "spool drained" });
    const s = ingestor.publisher.status();
    assert.equal(s.mode, "direct");
    assert.equal(s.spool.records, 0);
    assert.equal(s.gaps, 0);
  } finally {
    await ingestor.close();
  }
  assert.equal(contiguityProblem(await readTrades(stack.nc), FIRST_ID, LAST_ID), null);
});

/** A stack, a simulated exchange with two symbols and an ingestor reading it; `await using` closes the ingestor, the exchange, then the stack. */
async function syntheticStack(options: { maxLifetimeMs?: number; connectionLifetimeMs?: number }) {
  const stack = await startStack();
  const source = new SyntheticSource({ symbols: ["BTCUSDT", "ETHUSDT"], tradesPerSecond: 2000, seed: 7 });
  const sim = await MarketSimulator.start({ source, shutdownGraceMs: 1500, maxLifetimeMs: options.maxLifetimeMs });
  const ingestor = await Ingestor.start(stack.nc, {
    client: { baseUrl: sim.url, symbols: ["BTCUSDT", "ETHUSDT"], log, overlapMs: 300, connectionLifetimeMs: options.connectionLifetimeMs, renewBeforeMs: options.connectionLifetimeMs ? options.connectionLifetimeMs / 2 : undefined },
    publisher: { spoolDir: stack.spoolDir, log },
  });
  return closedInOrder({ stack, sim, ingestor }, () => ingestor.close(), () => sim.close(), () => stack[Symbol.asyncDispose]());
}

/** Ids per symbol in the log: no duplicate, no hole between the first and the last. */
async function assertContiguousPerSymbol(stack: Awaited<ReturnType<typeof startStack>>) {
  const trades = await readTrades(stack.nc);
  const bySymbol = new Map<string, number[]>();
  for (const t of trades) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t.tradeId]);
  assert.equal(bySymbol.size, 2);
  for (const [symbol, ids] of bySymbol) {
    for (let i = 1; i < ids.length; i++) assert.equal(ids[i], ids[i - 1]! + 1, `${symbol} ids ${ids[i - 1]} then ${ids[i]}`);
  }
}

test("serverShutdown renews the connection with overlap: duplicates removed, nothing missing", async () => {
  await using synthetic = await syntheticStack({});
  const { stack, sim, ingestor } = synthetic;
  await waitFor(() => ingestor.publisher.status().published > 500, { timeoutMs: 30_000, what: "trades flowing" });
  sim.serverShutdown();
  await waitFor(() => ingestor.client.status().switches >= 1, { timeoutMs: 30_000, what: "switch to the new connection" });
  const acceptedAtSwitch = ingestor.publisher.status().accepted;
  await waitFor(() => ingestor.publisher.status().accepted > acceptedAtSwitch + 500, { timeoutMs: 30_000, what: "trades after the switch" });
  await ingestor.client.stop();
  await ingestor.publisher.flush();
  const s = ingestor.publisher.status();
  assert.ok(s.duplicatesDropped > 0, "the overlap delivered some trades twice and they were dropped");
  assert.equal(s.gaps, 0);
  assert.equal(ingestor.client.status().serverShutdowns, 1);
  assert.equal(ingestor.client.status().reconnects, 0, "renewed by overlap, not by reconnect after loss");
  await assertContiguousPerSymbol(stack);
});

test("the proactive lifetime renewal (before the server's max lifetime) loses and duplicates nothing", async () => {
  await using synthetic = await syntheticStack({ maxLifetimeMs: 4000, connectionLifetimeMs: 3000 });
  const { stack, ingestor } = synthetic;
  await waitFor(() => ingestor.client.status().switches >= 2, { timeoutMs: 30_000, what: "two lifetime renewals" });
  await ingestor.client.stop();
  await ingestor.publisher.flush();
  const s = ingestor.publisher.status();
  assert.equal(s.gaps, 0);
  assert.equal(ingestor.client.status().reconnects, 0);
  await assertContiguousPerSymbol(stack);
});

test("a forced gap in trade ids is detected and counted; bad frames go to the DLQ while trades keep flowing", async () => {
  await using stack = await startStack();
  const source = new SyntheticSource({ symbols: ["BTCUSDT"], tradesPerSecond: 1000, seed: 3 });
  await using sim = await MarketSimulator.start({ source });
  const ingestor = await Ingestor.start(stack.nc, { client: { baseUrl: sim.url, symbols: ["BTCUSDT"], log }, publisher: { spoolDir: stack.spoolDir, log } });
  const gaps: number[] = [];
  ingestor.publisher.gaps.add((g) => gaps.push(g.missing));
  try {
    await waitFor(() => ingestor.publisher.status().accepted > 100, { timeoutMs: 30_000, what: "trades flowing" });
    sim.forceGap(7);
    await waitFor(() => ingestor.publisher.status().gaps === 1, { timeoutMs: 30_000, what: "gap detected" });
    assert.deepEqual(gaps, [7]);
    const bad = [
      "this is not json",
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","p":"1.0","q":"1.0","T":1,"m":true}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":5,"p":"-3.5","q":"1.0","T":1,"m":true}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":5,"p":"abc","q":"1.0","T":1,"m":true}}',
      '{"stream":"btcusdt@trade","data":{"e":"mysteryEvent","E":1,"s":"BTCUSDT"}}',
    ];
    const before = ingestor.publisher.status().accepted;
    for (const frame of bad) sim.injectFrame(frame);
    await waitFor(() => ingestor.publisher.status().invalid === bad.length, { timeoutMs: 30_000, what: "bad frames rejected" });
    await waitFor(() => ingestor.publisher.status().accepted > before + 200, { timeoutMs: 30_000, what: "trades still flowing" });
    await ingestor.publisher.flush();
    const dlq = (await readStream(stack.nc, "DLQ")).map((m) => ({ subject: m.subject, body: JSON.parse(new TextDecoder().decode(m.data)) as { raw: string; reason: string; message: string } }));
    assert.equal(dlq.length, bad.length);
    assert.deepEqual(dlq.map((d) => d.body.raw).sort(), [...bad].sort());
    const reasonOf = (raw: string) => dlq.find((d) => d.body.raw === raw)!;
    assert.equal(reasonOf(bad[0]!).subject, "dlq.not-json");
    assert.equal(reasonOf(bad[1]!).subject, "dlq.missing-field");
    assert.equal(reasonOf(bad[2]!).subject, "dlq.bad-price");
    assert.equal(reasonOf(bad[3]!).subject, "dlq.bad-price");
    assert.equal(reasonOf(bad[4]!).subject, "dlq.unknown-event");
    assert.ok(dlq.every((d) => d.body.message.length > 0));
  } finally {
    await ingestor.close();
  }
  const trades = await readTrades(stack.nc);
  const holes = trades.slice(1).filter((t, i) => t.tradeId !== trades[i]!.tradeId + 1).map((t, i) => t.tradeId - trades[i]!.tradeId);
  assert.equal(holes.length, 1);
});
