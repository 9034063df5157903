import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { localAdminToken } from "../../src/admin/auth.js";
import { TradeLogPublisher } from "../../src/ingest/publisher.js";
import { silentLogger } from "../../src/ingest/log.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades } from "../market/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { bruteForceBars, comparable, partitionAcked, silverBars, tempDir, undisturbedBars } from "./support.js";
import { marketOf, nodeStatuses, startMarketNode } from "./nodes.js";

const SYMBOL = "BTCUSDT";
const PARTITION = partitionOf(SYMBOL, 32);
const TRADES_PER_SECOND = 2_000;

/** Feeds the trades to the publisher at a steady rate (pacing the producer, not waiting on the system under test). */
async function publishPaced(publisher: TradeLogPublisher, trades: Trade[], perSecond: number, onProgress: (sent: number) => void): Promise<void> {
  const started = Date.now();
  let sent = 0;
  while (sent < trades.length) {
    const due = Math.min(trades.length, Math.floor(((Date.now() - started) * perSecond) / 1000) + 1);
    for (; sent < due; sent++) {
      const trade = trades[sent]!;
      trade.ingestTime = Date.now();
      publisher.accept(trade);
    }
    onProgress(sent);
    await new Promise((r) => setTimeout(r, 20));
  }
  await publisher.flush();
}

test("kill -9 of the node hosting a symbol during the replay: after takeover the full bar sequence equals the undisturbed one (no gap, no duplicate)", async (t) => {
  await using server = await startNatsServer();
  const dataDir = tempDir("market-kill-");
  const nodes = ["n1", "n2", "n3"].map((id) => startMarketNode(server.url, id, dataDir));
  const nc = await connect({ servers: server.url });
  const diagnostics = () => nodes.flatMap((n) => n.tail()).join("\n");
  let publisher: TradeLogPublisher | undefined;
  try {
    const token = localAdminToken(dataDir);
    const settled = await waitFor(
      async () => {
        const statuses = await nodeStatuses(nc, token);
        const owners = statuses[0]?.cluster.owners ?? [];
        return statuses.length === 3 && owners.every((o) => o !== null) && statuses.every((s) => s.cluster.owned.length > 0) ? statuses : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: "three market nodes sharing all 32 partitions" },
    );
    t.diagnostic(`${SYMBOL} is in partition ${PARTITION}, owned by ${settled[0]!.cluster.owners[PARTITION]}`);

    const trades = btcTrades();
    publisher = await TradeLogPublisher.start(nc, { partitions: 32, spoolDir: join(dataDir, "test-spool"), log: silentLogger });
    let sent = 0;
    const publishing = publishPaced(publisher, trades, TRADES_PER_SECOND, (n) => (sent = n));
    publishing.catch(() => {});

    // Kill once the owner has emitted some bars and made some of its input durable (acked after a
    // snapshot), so the survivor must restore a snapshot and replay the unacked rest.
    const jsm = await jetstreamManager(nc);
    const barsOut = async () => (await jsm.streams.info("SILVER", { subjects_filter: `silver.${SYMBOL}` }).catch(() => undefined))?.state.messages ?? 0;
    const atKill = await waitFor(
      async () => {
        const acked = (await jsm.consumers.info("TRADES", `symbols-p${PARTITION}`).catch(() => undefined))?.ack_floor.stream_seq ?? 0;
        const bars = await barsOut();
        return acked > 0 && bars >= 25 ? { bars, sent } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${SYMBOL} bars with durable progress` },
    );
    // The victim is whoever runs the symbol now (asked again: ownership could have moved since).
    const hosting = await waitFor(async () => (await nodeStatuses(nc, token)).find((s) => marketOf(s)?.liveSymbols.includes(SYMBOL)), { timeoutMs: 30_000, what: `the node running ${SYMBOL}` });
    const victimId = hosting.nodeId;
    assert.equal(hosting.cluster.owners[PARTITION], victimId, "the node running the symbol owns its partition");
    const victim = nodes.find((n) => n.id === victimId)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    t.diagnostic(`killed ${victimId} after ${atKill.bars} bars, ${atKill.sent} of ${trades.length} trades sent`);

    await publishing;
    const expected = undisturbedBars(SYMBOL, trades);
    assert.ok(atKill.bars < expected.length, `the kill landed mid-stream (${atKill.bars} of ${expected.length} bars out)`);

    const takeover = await waitFor(
      async () => (await nodeStatuses(nc, token)).find((s) => s.nodeId !== victimId && marketOf(s)?.liveSymbols.includes(SYMBOL)),
      { timeoutMs: 45_000, intervalMs: 300, what: `another node running ${SYMBOL}` },
    );
    t.diagnostic(`${takeover.nodeId} took ${SYMBOL} over`);
    assert.notEqual(takeover.nodeId, victimId);
    assert.equal(takeover.cluster.owners[PARTITION], takeover.nodeId);

    // Done = every trade of the partition folded into a stored snapshot (the durable acked the
    // subject's last message), so nothing more can be emitted; only then read the bars back.
    const lastSeq = (await jsm.streams.info("TRADES")).state.last_seq;
    await waitFor(async () => (await partitionAcked(jsm, `symbols-p${PARTITION}`, lastSeq)) || undefined, {
      timeoutMs: 45_000,
      intervalMs: 300,
      what: `the survivor acking the whole partition (stream seq ${lastSeq})`,
    });
    const bars = await silverBars(nc, SYMBOL);

    const ends = bars.map((b) => b.windowEnd);
    assert.equal(new Set(ends).size, ends.length, "no window emitted twice");
    assert.deepEqual(ends, expected.map((b) => b.windowEnd), "every window, in order, none missing");
    bars.forEach((bar, i) => assert.deepEqual(comparable(bar), comparable(expected[i]!), `bar ${i} (${new Date(bar.windowEnd).toISOString()})`));
    // And the independent brute-force computation agrees on the bars' shape.
    const brute = bruteForceBars(trades);
    assert.deepEqual(
      bars.map((b) => [b.windowEnd, b.open, b.high, b.low, b.close, b.tradeCount]),
      brute.map((b) => [b.windowEnd, b.open, b.high, b.low, b.close, b.tradeCount]),
    );
  } catch (err) {
    t.diagnostic(diagnostics());
    throw err;
  } finally {
    await publisher?.close().catch(() => {});
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.exited));
    await nc.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
});
