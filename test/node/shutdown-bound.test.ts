/**
 * SIGTERM ends a real node process within SHUTDOWN_TIMEOUT in every case — healthy, its NATS
 * server gone, its PostgreSQL gone, a partition that cannot drain — and the node prints one
 * summary of what was flushed, spooled and left in the log. The deadlines here are generous test
 * deadlines (a slow machine makes the test slower, never red); no duration is asserted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { connect } from "@nats-io/transport-node";
import { MarketSimulator } from "../../src/simulator/server.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import { SUMMARY_PREFIX } from "../../src/node/shutdown-summary.js";
import { callAdmin } from "../../src/admin/client.js";
import { localAdminToken } from "../../src/admin/auth.js";
import { encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import type { Trade } from "../../src/market/trade.js";
import { tradeSubject } from "../../src/runtime/nats/spec.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { startPrivatePostgres } from "../db/private-postgres.js";
import { tempDir } from "../market-e2e/support.js";

interface NodeRun {
  child: ChildProcess;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startNode(script: string, natsUrl: string, dataDir: string, args: string[], env: Record<string, string> = {}): NodeRun {
  const child = spawn(process.execPath, ["--import", "tsx", script, "--node-id", "bound", "--data-dir", dataDir, "--lease-ttl", "3s", ...args], {
    env: { ...process.env, NATS_URL: natsUrl, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exit };
}

/** SIGTERM, then the exit within the bound plus a generous margin; the process is killed if it never comes. */
async function terminate(node: NodeRun, boundMs: number): Promise<{ code: number | null; summary: string }> {
  node.child.kill("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), boundMs + 30_000)));
  const result = await Promise.race([node.exit, late]);
  clearTimeout(timer);
  if (result === "late") {
    node.child.kill("SIGKILL");
    assert.fail(`still running long after SIGTERM and its ${boundMs} ms bound:\n${node.output()}`);
  }
  assert.equal(result.signal, null, `ended by signal ${result.signal}, not by itself:\n${node.output()}`);
  const summaries = node.output().split("\n").filter((l) => l.includes(SUMMARY_PREFIX));
  assert.equal(summaries.length, 1, `exactly one summary line:\n${node.output()}`);
  const summary = summaries[0]!;
  assert.match(summary, new RegExp(`${SUMMARY_PREFIX} exit ${result.code} after`), `the summary names the exit code ${result.code}: ${summary}`);
  assert.doesNotMatch(node.output(), /still holds the process open|did not end within SHUTDOWN_TIMEOUT/, node.output());
  return { code: result.code, summary };
}

async function running(node: NodeRun): Promise<void> {
  await waitFor(() => node.output().includes("node running") || node.child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 100, what: "node running" });
  assert.ok(node.output().includes("node running"), node.output());
}

async function tradesInLog(natsUrl: string, atLeast: number): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.streams.info("TRADES")).state.messages >= atLeast, { timeoutMs: 60_000, intervalMs: 200, what: `${atLeast} trade batches in TRADES` });
  } finally {
    await nc.close();
  }
}

/** A node with the ingest role reading a 2-symbol simulator, running with trades in the log; killed if a test leaves it. */
async function withFeedNode(roles: string, body: (node: NodeRun, nats: NatsServerHandle) => Promise<void>): Promise<void> {
  await using nats = await startNatsServer();
  const dataDir = tempDir("bound-feed-");
  const source = new SyntheticSource({ symbols: ["BTCUSDT", "ETHUSDT"], tradesPerSecond: 50, seed: 11 });
  const sim = await MarketSimulator.start({ source, host: "127.0.0.1", port: 0 });
  const node = startNode("src/main.ts", nats.url, dataDir, ["--roles", roles, "--symbols", "BTCUSDT,ETHUSDT", "--binance-ws-url", sim.url]);
  try {
    await running(node);
    await tradesInLog(nats.url, 5);
    await body(node, nats);
  } finally {
    if (node.child.exitCode === null) node.child.kill("SIGKILL");
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test("healthy: SIGTERM stops ingest, market and lake cleanly, exit 0, with the summary", async (t) => {
  await withFeedNode("ingest,market,lake", async (node) => {
    const { code, summary } = await terminate(node, 30_000);
    t.diagnostic(summary);
    assert.equal(code, 0, node.output());
    assert.match(summary, /bound; clean \|/);
    assert.match(summary, /lake bronze_trades rows committed while stopping \d+/);
    assert.match(summary, /ingest spool records on disk \(published at next start\) 0/);
    assert.match(summary, /left in the log for the next owner: .*consumer\(s\) with nothing left/);
  });
});

test("NATS server killed: SIGTERM still ends the process within the bound (exit 1) and says what it could not count", async (t) => {
  await withFeedNode("ingest,market", async (node, nats) => {
    await nats.kill();
    const { code, summary } = await terminate(node, 30_000);
    t.diagnostic(summary);
    assert.equal(code, 1, node.output());
    assert.match(node.output(), /shutdown close: nats FAILED: NATS not drained/);
    assert.match(summary, /spooled to disk: ingest batches spooled while stopping \d+, ingest spool records on disk \(published at next start\) \d+/);
    assert.match(summary, /32 consumer\(s\) not counted \(NATS unreachable/);
    // The feed's in-memory trades reached the spool within the ingest step's own deadline.
    assert.doesNotMatch(node.output(), /shutdown stop-intake: ingest .*(ABANDONED|FAILED)/);
  });
});

test("PostgreSQL stopped: SIGTERM ends a serving node within the bound; the bars it could not write stay in the log", async (t) => {
  await using nats = await startNatsServer();
  await using postgres = await startPrivatePostgres();
  const dataDir = tempDir("bound-pg-");
  const node = startNode("src/main.ts", nats.url, dataDir, ["--roles", "market,serving"], { DATABASE_URL: postgres.url });
  const nc = await connect({ servers: nats.url });
  try {
    await running(node);
    const js = jetstream(nc);
    const publishBars = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await js.publish("silver.BTCUSDT", JSON.stringify(silverBar(i)));
    };
    await publishBars(0, 3);
    await waitFor(async () => (await servedBars(postgres.url)) === 3, { timeoutMs: 30_000, intervalMs: 200, what: "the first 3 bars in silver_bars" });
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.consumers.info("SILVER", "serving")).ack_floor.stream_seq === 3, { timeoutMs: 30_000, intervalMs: 200, what: "the first 3 bars acknowledged" });
    await postgres.stop();
    await publishBars(3, 8);
    const { summary } = await terminate(node, 30_000);
    t.diagnostic(summary);
    const left = /SILVER\/serving (\d+) unacked \+ (\d+) undelivered/.exec(summary);
    assert.ok(left, summary);
    assert.equal(Number(left[1]) + Number(left[2]), 5, `the 5 bars written after PostgreSQL stopped are left in the log: ${summary}`);
  } finally {
    await nc.close();
    if (node.child.exitCode === null) node.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function servedBars(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM silver_bars")).rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** A closed bar as the SymbolActor publishes it on SILVER (the serving writer's input). */
function silverBar(i: number) {
  const windowEnd = 1_700_000_030_000 + i * 10_000;
  return { symbol: "BTCUSDT", windowStart: windowEnd - 30_000, windowEnd, open: 100, high: 101, low: 99, close: 100.5, avgPrice: 100.2, vwap: 100.3, volume: 2, tradeCount: 4, volatility: 0.1 };
}

test("a partition that cannot drain is abandoned at its deadline: exit 1 within the bound, its unacked message left for the next owner", async (t) => {
  await using nats = await startNatsServer();
  const dataDir = tempDir("bound-stall-");
  const boundMs = 8000;
  const node = startNode("test/node/fixtures/stalled-node.ts", nats.url, dataDir, ["--roles", "market", "--shutdown-timeout", `${boundMs}ms`]);
  const nc = await connect({ servers: nats.url });
  try {
    await running(node);
    const partition = partitionOf("k1", 32);
    await jetstream(nc).publish(`stall.${partition}.k1`, JSON.stringify({ n: 1 }));
    await waitFor(() => node.output().includes("stall: entity k1 took a message"), { timeoutMs: 30_000, intervalMs: 100, what: "the stalled entity" });
    const { code, summary } = await terminate(node, boundMs);
        t.diagnostic(summary);
    assert.equal(code, 1, node.output());
    assert.match(node.output(), /shutdown drain: partitions .* ABANDONED/);
    assert.match(summary, /abandoned: drain\/partitions/);
    assert.match(summary, new RegExp(`STALL/stall-p${partition} 1 unacked`));
  } finally {
    await nc.close();
    if (node.child.exitCode === null) node.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** `n` consecutive trades of `symbol`, all within the last minute (a scheduled or admin run's lookback covers them). */
function recentTrades(symbol: string, fromId: number, n: number, now: number): Trade[] {
  return Array.from({ length: n }, (_, i) => {
    const price = 100 + ((fromId + i) % 50) / 10;
    const t = now - 60_000 + i;
    return { source: "binance", symbol, tradeId: fromId + i, price, quantity: 1, priceText: String(price), quantityText: "1", tradeTime: t, eventTime: t, ingestTime: t, buyerIsMaker: i % 2 === 0 };
  });
}

test("a quality audit in flight is cancelled at SIGTERM: stored as cancelled, nothing waits for it, exit 0", async (t) => {
  await using nats = await startNatsServer();
  const dataDir = tempDir("bound-quality-");
  const node = startNode("src/main.ts", nats.url, dataDir, ["--roles", "lake,quality"]);
  const nc = await connect({ servers: nats.url });
  try {
    await running(node);
    // What makes an audit long is the data it reads: 200,000 trades in bronze and in the log.
    const js = jetstream(nc);
    const now = Date.now();
    const symbols = Array.from({ length: 20 }, (_, i) => `Q${String(i).padStart(2, "0")}USDT`);
    let last = 0;
    for (const symbol of symbols) {
      for (let b = 0; b < 50; b++) {
        const ack = await js.publish(tradeSubject(partitionOf(symbol, 32), symbol), encodeTradeBatch(recentTrades(symbol, 1 + b * 200, 200, now)));
        last = ack.seq;
      }
    }
    const jsm = await jetstreamManager(nc);
    // The bronze writer acknowledges after its commit: the floor at the end means bronze holds it all.
    await waitFor(async () => (await jsm.consumers.info("TRADES", "lake-bronze")).ack_floor.stream_seq === last, { timeoutMs: 120_000, intervalMs: 250, what: `bronze committed up to TRADES seq ${last}` });
    void callAdmin(nc, "quality", ["run"], { token: localAdminToken(dataDir), timeoutMs: 60_000 }).catch(() => {});
    await waitFor(() => /quality run q-\S+ started/.test(node.output()), { timeoutMs: 30_000, intervalMs: 10, what: "the audit started" });
    const { code, summary } = await terminate(node, 30_000);
    t.diagnostic(summary);
    const out = node.output();
    assert.match(out, /quality run q-\S+ cancelled: the node is shutting down/, out);
    assert.match(out, /shutdown stop-intake: quality audit \(a run in flight is cancelled\) ms=\d+\n/, "the step ended by itself, neither FAILED nor ABANDONED");
    assert.doesNotMatch(out, /quality run q-\S+ (broke|PASSED|WARN|FAILED)|PGlite is closed/);
    assert.equal(code, 0, summary);
  } finally {
    await nc.close();
    if (node.child.exitCode === null) node.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});
