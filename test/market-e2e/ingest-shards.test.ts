/**
 * Ingestion sharded across real node processes, every one with the ingest, market and lake roles,
 * reading one market simulator at a live rate: each trade lands in TRADES and in bronze exactly
 * once while nodes join and leave (and, in the second test, one is killed with SIGKILL).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Lake } from "../../src/lake/lake.js";
import { BRONZE_TRADES_APP_ID, BRONZE_TRADES_TABLE } from "../../src/lake/tables/bronze-trades.js";
import { SILVER_BARS_APP_ID, SILVER_BARS_TABLE } from "../../src/lake/tables/silver-bars.js";
import { STREAMS } from "../../src/runtime/nats/spec.js";
import { verifyLake } from "../../src/verify/index.js";
import { renderVerify } from "../../src/admin/render-verify.js";
import { defaultSymbols } from "../../src/simulator/synthetic-source.js";
import type { PublisherStatus } from "../../src/ingest/publisher-types.js";
import { nodeStatuses, startNodeProcess, startSimulatorProcess, type NodeProc, type SimulatorProc } from "../../bench/node-process.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { pollUntil } from "../../bench/runner/deadline.js";
import { tempDir } from "./support.js";

/** The kill -9 test's roles; the join/leave test runs every role, as docker-compose does. */
const ROLES = "ingest,market,lake";

interface IngestPart {
  shards?: number[];
  reading?: number;
}

async function ingestOf(nc: NatsConnection): Promise<Map<string, IngestPart>> {
  return new Map((await nodeStatuses(nc)).map((s) => [s.nodeId, (s.components["ingest"] ?? {}) as IngestPart]));
}

async function committedSeq(lake: Lake, table = BRONZE_TRADES_TABLE, appId = BRONZE_TRADES_APP_ID): Promise<number> {
  if (!(await lake.exists(table))) return -1;
  return (await lake.table(table).snapshot()).txns.get(appId) ?? -1;
}

interface Cluster extends AsyncDisposable {
  nc: NatsConnection;
  sim: SimulatorProc;
  lake: Lake;
  nodes: Map<string, NodeProc>;
  start(id: string): NodeProc;
  describe(): Promise<string>;
}

async function cluster(symbols: string[], rate: number, total: number, roles = ROLES): Promise<Cluster> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const root = tempDir("ingest-shards-");
  const lakeDir = join(root, "lake");
  // --start all: the market opens once every symbol has a reader, so the log must hold ids 1..n.
  const sim = await startSimulatorProcess(["--symbols", symbols.join(","), "--rate", String(rate), "--total", String(total), "--start", "all"]);
  const nodes = new Map<string, NodeProc>();
  const lake = Lake.open(lakeDir);
  const describe = async () => {
    const parts = [...(await ingestOf(nc))].map(([id, p]) => `${id}: shards ${JSON.stringify(p.shards)}, reading ${p.reading}`);
    return [...parts, JSON.stringify(await sim.stats().catch(() => "simulator gone")), ...[...nodes.values()].flatMap((n) => n.tail.slice(-6))].join("\n");
  };
  return {
    nc,
    sim,
    lake,
    nodes,
    describe,
    start(id) {
      // Every node's web server on a port of its own; with the serving role, an embedded database each.
      const flags = ["--lease-ttl", "3s", "--binance-rest-url", `http://127.0.0.1:${sim.port}`, "--web-port", "0"];
      const n = startNodeProcess(id, roles, { natsUrl: nats.url, dataDir: join(root, id), lakeDir, wsUrl: sim.wsUrl, symbols, flags });
      nodes.set(id, n);
      return n;
    },
    async [Symbol.asyncDispose]() {
      sim.child.kill("SIGTERM");
      for (const n of nodes.values()) n.child.kill("SIGKILL");
      await Promise.all([...nodes.values()].map((n) => n.exited));
      await nc.close().catch(() => {});
      await nats[Symbol.asyncDispose]();
    },
  };
}

/** Waits until `count` nodes answer and each one's ingest part satisfies `holds`. */
async function everyNode(c: Cluster, count: number, what: string, holds: (p: IngestPart) => boolean): Promise<void> {
  await pollUntil(`${count} nodes each ${what}`, 120_000, async () => {
    const parts = await ingestOf(c.nc);
    return parts.size === count && [...parts.values()].every(holds);
  }, c.describe, { intervalMs: 500 });
}

/** After the market closed: the lake committed the whole log, and every emitted trade is in it once. */
async function assertEveryTradeOnce(c: Cluster, label: string): Promise<void> {
  await pollUntil("the simulator to emit every trade", 240_000, async () => (await c.sim.stats()).ended, c.describe, { intervalMs: 500 });
  const emitted = (await c.sim.stats()).eventsEmitted;
  const jsm = await jetstreamManager(c.nc);
  await pollUntil("bronze to commit the whole log", 120_000, async () => (await committedSeq(c.lake)) >= (await jsm.streams.info(STREAMS.trades)).state.last_seq, c.describe, { intervalMs: 500 });
  await pollUntil("silver to commit every bar", 120_000, async () => (await committedSeq(c.lake, SILVER_BARS_TABLE, SILVER_BARS_APP_ID)) >= (await jsm.streams.info(STREAMS.silver)).state.last_seq, c.describe, { intervalMs: 500 });
  const report = await verifyLake({ nc: c.nc, lake: c.lake });
  const t = report.totals;
  const detail = `${label}\n${renderVerify("ingest shards", report)}\n${await c.describe()}`;
  assert.equal(t.logTrades, emitted, `the log holds every trade the market emitted\n${detail}`);
  assert.equal(t.holes + t.duplicateIds + t.missingFromBronze + t.extraInBronze, 0, detail);
  assert.equal(t.bronzeTrades, emitted, detail);
  // The bars are those of the complete log: none missing, none doubled.
  assert.equal(t.missingBars + t.doubledBars + t.unexpectedBars, 0, detail);
}

test("2, then 3, then 2 nodes with every role under a live market: a joining node takes its share, a leaving one hands over with overlap; every trade once in the log and in bronze", { timeout: 480_000 }, async () => {
  const symbols = defaultSymbols(8);
  await using c = await cluster(symbols, 300, 15_000, "all");
  c.start("n1");
  c.start("n2");
  await everyNode(c, 2, "holding ingest shards", (p) => (p.shards?.length ?? 0) > 0);
  await pollUntil("3,000 trades emitted", 60_000, async () => (await c.sim.stats()).eventsEmitted > 3000, c.describe, { intervalMs: 500 });

  c.start("n3");
  await pollUntil("the joining node to read its share of symbols", 90_000, async () => ((await ingestOf(c.nc)).get("n3")?.reading ?? 0) > 0, c.describe, { intervalMs: 500 });
  const shares = await ingestOf(c.nc);
  const reading = [...shares.values()].reduce((n, p) => n + (p.reading ?? 0), 0);
  assert.ok(reading >= symbols.length, `every symbol read by someone: ${await c.describe()}`);
  // A join is a graceful handover: the old readers logged all they read before n3 let its trades in.
  const n3 = async () => ((await nodeStatuses(c.nc)).find((s) => s.nodeId === "n3")?.components["ingest"] as { publisher?: PublisherStatus } | undefined)?.publisher;
  await pollUntil("n3 to publish its share", 60_000, async () => ((await n3())?.published ?? 0) > 0 && (await n3())?.held === 0, c.describe, { intervalMs: 500 });
  const joined = (await n3())!;
  assert.equal(joined.backfilled + joined.missingTrades, 0, `n3 took its shards over without asking the exchange or losing a trade: ${JSON.stringify({ ...joined, symbols: undefined })}`);

  await pollUntil("9,000 trades emitted", 60_000, async () => (await c.sim.stats()).eventsEmitted > 9000, c.describe, { intervalMs: 500 });
  const leaving = c.nodes.get("n1")!;
  leaving.child.kill("SIGTERM");
  await leaving.exited;
  await pollUntil("n2 and n3 reading every symbol once between them", 60_000, async () => {
    const parts = await ingestOf(c.nc);
    return !parts.has("n1") && [...parts.values()].reduce((n, p) => n + (p.reading ?? 0), 0) === symbols.length;
  }, c.describe, { intervalMs: 500 });

  await assertEveryTradeOnce(c, "after a join and a graceful leave");
});

test("kill -9 of a node ingesting symbols mid-stream: the survivor takes them over and fills the hole from the exchange's history; every trade once, every bar once", { timeout: 480_000 }, async () => {
  const symbols = defaultSymbols(6);
  await using c = await cluster(symbols, 300, 12_000);
  c.start("k1");
  c.start("k2");
  await everyNode(c, 2, "reading symbols", (p) => (p.reading ?? 0) > 0);
  await pollUntil("4,000 trades emitted", 60_000, async () => (await c.sim.stats()).eventsEmitted > 4000, c.describe, { intervalMs: 500 });
  const victim = c.nodes.get("k1")!;
  victim.child.kill("SIGKILL");
  await victim.exited;
  c.nodes.delete("k1");
  await pollUntil("k2 reading every symbol after the lease expired", 60_000, async () => (await ingestOf(c.nc)).get("k2")?.reading === symbols.length, c.describe, { intervalMs: 500 });
  await assertEveryTradeOnce(c, "after a kill -9 of an ingest node");
  const ingest = (await nodeStatuses(c.nc)).find((s) => s.nodeId === "k2")?.components["ingest"] as { publisher?: { backfilled?: number; missingTrades?: number } } | undefined;
  assert.ok((ingest?.publisher?.backfilled ?? 0) > 0, `the survivor filled the hole from REST: ${JSON.stringify(ingest?.publisher)}`);
});
