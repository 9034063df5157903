/**
 * An ingest node whose shard leases lapse (its process frozen with SIGSTOP past the lease TTL,
 * then resumed) while it stays a member and the rendezvous owner of its shards: it stops them
 * with "lease-lost" and takes them straight back. It must keep reading them meanwhile, so the
 * trades emitted in between are logged by it and nothing is asked of the exchange's REST history.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { defaultSymbols } from "../../src/simulator/synthetic-source.js";
import type { PublisherStatus } from "../../src/ingest/publisher-types.js";
import { nodeStatuses, startNodeProcess, startSimulatorProcess, type NodeProc } from "../../bench/node-process.js";
import { pollUntil } from "../../bench/runner/deadline.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { loggedTrades, tempDir } from "./support.js";

interface IngestPart {
  shards?: number[];
  reading?: number;
  publisher?: PublisherStatus;
}

async function ingestOf(nc: NatsConnection): Promise<Map<string, IngestPart>> {
  return new Map((await nodeStatuses(nc)).map((s) => [s.nodeId, (s.components["ingest"] ?? {}) as IngestPart]));
}

/** The simulator's ids start here and ascend by one per symbol. */
const FIRST_ID = 1_000_000;
const SYMBOLS = defaultSymbols(300);

test("an ingest node frozen past its lease TTL takes its shards back without a break: every trade once in TRADES, none from REST", { timeout: 180_000 }, async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const root = tempDir("ingest-lease-lost-");
  // --start all: the market opens once every symbol has a reader, so the log must hold every id.
  const sim = await startSimulatorProcess(["--symbols", SYMBOLS.join(","), "--rate", "3000", "--total", "60000", "--start", "all"]);
  const nodes: NodeProc[] = [];
  const describe = async () => {
    const parts = [...(await ingestOf(nc))].map(([id, p]) => `${id}: shards ${JSON.stringify(p.shards)}, reading ${p.reading}, ${JSON.stringify({ ...p.publisher, symbols: undefined })}`);
    return [...parts, JSON.stringify(await sim.stats().catch(() => "simulator gone")), ...nodes.flatMap((n) => n.tail.slice(-8))].join("\n");
  };
  try {
    // A short lease, but a member TTL and takeover grace (2 × heartbeat) longer than the freeze:
    // the frozen node stays the desired owner and nobody else takes its shards meanwhile.
    // Debug: the log then shows the ingest shards' cluster events (partition-lost, partition-acquired).
    const flags = ["--lease-ttl", "2s", "--heartbeat", "2s", "--member-ttl", "10s", "--binance-rest-url", `http://127.0.0.1:${sim.port}`, "--web-port", "0", "--log-level", "debug"];
    for (const id of ["a", "b"]) nodes.push(startNodeProcess(id, "ingest", { natsUrl: nats.url, dataDir: join(root, id), lakeDir: join(root, "lake"), wsUrl: sim.wsUrl, symbols: SYMBOLS, flags }));
    await pollUntil("both nodes reading symbols", 90_000, async () => {
      const parts = await ingestOf(nc);
      return parts.size === 2 && [...parts.values()].every((p) => (p.reading ?? 0) > 0);
    }, describe, { intervalMs: 500 });
    await pollUntil("20,000 trades emitted", 60_000, async () => (await sim.stats()).eventsEmitted > 20_000, describe, { intervalMs: 250 });

    const frozen = nodes[0]!;
    frozen.child.kill("SIGSTOP");
    await sleep(3000); // the fault itself: longer than the lease TTL, shorter than the takeover grace
    frozen.child.kill("SIGCONT");

    await pollUntil("the simulator to emit every trade", 120_000, async () => (await sim.stats()).ended, describe, { intervalMs: 500 });
    const emitted = (await sim.stats()).eventsEmitted;
    await pollUntil("both nodes to log everything they read", 60_000, async () => {
      const parts = [...(await ingestOf(nc)).values()];
      return parts.length === 2 && parts.every((p) => p.publisher?.held === 0 && p.publisher.backfilling === 0 && p.publisher.inFlight === 0 && p.publisher.queuedBatches === 0);
    }, describe, { intervalMs: 500 });
    const parts = await ingestOf(nc);
    const detail = await describe();
    // The fault did what it is for: the frozen node lost its shard leases and took them back.
    const log = readFileSync(join(root, `${frozen.id}.log`), "utf8");
    const lost = log.search(/ingest shards partition-lost .*no renewal confirmed/);
    assert.ok(lost >= 0 && log.indexOf("ingest shards partition-acquired", lost) > lost, `${frozen.id} lost its ingest leases and re-acquired them\n${detail}`);
    for (const [id, p] of parts) {
      assert.equal(p.publisher!.backfilled, 0, `${id} asked the exchange's REST history for nothing\n${detail}`);
      assert.equal(p.publisher!.missingTrades, 0, `${id} counted no hole\n${detail}`);
    }

    const trades = await loggedTrades(nc);
    const ids = new Map<string, number[]>();
    for (const t of trades) (ids.get(t.symbol) ?? ids.set(t.symbol, []).get(t.symbol)!).push(t.tradeId);
    for (const [symbol, list] of ids) {
      list.sort((x, y) => x - y);
      const wrong = list.findIndex((id, i) => id !== FIRST_ID + i);
      assert.equal(wrong, -1, `${symbol}: ids ${FIRST_ID}.. each once, got ${list[wrong]} at ${wrong}\n${detail}`);
    }
    assert.equal(trades.length, emitted, `the log holds every trade the market emitted\n${detail}`);
  } finally {
    sim.child.kill("SIGTERM");
    for (const n of nodes) n.child.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.exited));
    await nc.close().catch(() => {});
  }
});
