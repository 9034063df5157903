/**
 * The market nodes read per-partition trade messages (src/ingest/partition-log.ts), where one
 * message feeds several symbols' entities and is acknowledged only once every one of them has it
 * in a stored snapshot. Three symbols of one partition, written by a PartitionLogWriter at a live
 * rate; the node running them is killed with -9 mid-stream; after the takeover every symbol's bars
 * equal the undisturbed run's, none missing, none twice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { localAdminToken } from "../../src/admin/auth.js";
import { partitionLogSubject, type OutEntry } from "../../src/ingest/partition-log.js";
import { PartitionLogWriter } from "../../src/ingest/partition-writer.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades } from "../market/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { bruteForceBars, comparable, partitionAcked, silverBars, tempDir, undisturbedBars } from "./support.js";
import { marketOf, nodeStatuses, startMarketNode } from "./nodes.js";

const PARTITION = partitionOf("BTCUSDT", 32);
/** BTCUSDT and the first two other names that hash to its partition: the recording under each name. */
const SYMBOLS = ["BTCUSDT", ...Array.from({ length: 500 }, (_, k) => `P${k}USDT`).filter((s) => partitionOf(s, 32) === PARTITION).slice(0, 2)];
const TRADES_PER_SECOND = 2_000;

/** Every 20 ms, the recording's trades due by then, under each symbol's name, as one partition tick. */
async function writePaced(writer: PartitionLogWriter, trades: Trade[], onProgress: (sent: number) => void): Promise<void> {
  const started = Date.now();
  let sent = 0;
  while (sent < trades.length) {
    const due = Math.min(trades.length, Math.floor(((Date.now() - started) * TRADES_PER_SECOND) / 1000) + 1);
    const now = Date.now();
    const tick = trades.slice(sent, due);
    for (const t of tick) t.ingestTime = now; // as the kill test's publisher: the undisturbed bars see the same ingest times
    sent = due;
    writer.send(partitionLogSubject(PARTITION), SYMBOLS.map((symbol): OutEntry => ({ trades: tick.map((t) => ({ ...t, symbol })) })));
    onProgress(sent);
    await new Promise((r) => setTimeout(r, 20));
  }
  await writer.drained();
}

test("per-partition messages: kill -9 of the node running a partition's symbols mid-stream; after the takeover each symbol's bars equal the undisturbed run's", async (t) => {
  assert.equal(SYMBOLS.length, 3);
  await using server = await startNatsServer();
  const dataDir = tempDir("market-partition-msgs-");
  const nodes = ["n1", "n2", "n3"].map((id) => startMarketNode(server.url, id, dataDir));
  const nc = await connect({ servers: server.url });
  const diagnostics = () => nodes.flatMap((n) => n.tail()).join("\n");
  try {
    const token = localAdminToken(dataDir);
    await waitFor(
      async () => {
        const statuses = await nodeStatuses(nc, token);
        const owners = statuses[0]?.cluster.owners ?? [];
        return statuses.length === 3 && owners.every((o) => o !== null) && statuses.every((s) => s.cluster.owned.length > 0) ? statuses : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: "three market nodes sharing all 32 partitions" },
    );
    const trades = btcTrades();
    const jsm = await jetstreamManager(nc);
    const writer = new PartitionLogWriter(jetstream(nc), jsm, { stream: "TRADES" });
    let sent = 0;
    const writing = writePaced(writer, trades, (n) => (sent = n));
    writing.catch(() => {});

    // Kill once every symbol has bars out and some input is durable (acked after the snapshots).
    const barsOf = async (symbol: string) => (await jsm.streams.info("SILVER", { subjects_filter: `silver.${symbol}` }).catch(() => undefined))?.state.messages ?? 0;
    const atKill = await waitFor(
      async () => {
        const acked = (await jsm.consumers.info("TRADES", `symbols-p${PARTITION}`).catch(() => undefined))?.ack_floor.stream_seq ?? 0;
        const bars = await Promise.all(SYMBOLS.map(barsOf));
        return acked > 0 && bars.every((b) => b >= 20) ? { bars, sent } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `bars of ${SYMBOLS.join(", ")} with durable progress` },
    );
    const hosting = await waitFor(async () => (await nodeStatuses(nc, token)).find((s) => SYMBOLS.every((sym) => marketOf(s)?.liveSymbols.includes(sym))), { timeoutMs: 30_000, what: `the node running ${SYMBOLS.join(", ")}` });
    const victim = nodes.find((n) => n.id === hosting.nodeId)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    t.diagnostic(`killed ${victim.id} after ${atKill.bars.join("/")} bars, ${atKill.sent} of ${trades.length} trades sent per symbol`);

    await writing;
    const expected = undisturbedBars("BTCUSDT", trades);
    assert.ok(Math.max(...atKill.bars) < expected.length, `the kill landed mid-stream (${atKill.bars.join("/")} of ${expected.length} bars out)`);
    assert.ok(writer.stats.messages < trades.length / 10, `${writer.stats.messages} messages carried ${trades.length * SYMBOLS.length} trades`);

    await waitFor(async () => (await nodeStatuses(nc, token)).find((s) => s.nodeId !== victim.id && SYMBOLS.every((sym) => marketOf(s)?.liveSymbols.includes(sym))), {
      timeoutMs: 45_000,
      intervalMs: 300,
      what: `another node running ${SYMBOLS.join(", ")}`,
    });
    // Done = the partition's last message is in every entity's stored snapshot (the durable acked it).
    const lastSeq = (await jsm.streams.info("TRADES")).state.last_seq;
    await waitFor(async () => (await partitionAcked(jsm, `symbols-p${PARTITION}`, lastSeq)) || undefined, {
      timeoutMs: 45_000,
      intervalMs: 300,
      what: `the survivor acking the whole partition (stream seq ${lastSeq})`,
    }).catch(async (err: unknown) => {
      const info = await jsm.consumers.info("TRADES", `symbols-p${PARTITION}`).catch(() => undefined);
      t.diagnostic(`durable: ack floor ${info?.ack_floor.stream_seq}, delivered ${info?.delivered.stream_seq}, ack pending ${info?.num_ack_pending}, pending ${info?.num_pending}, waiting ${info?.num_waiting}`);
      for (const s of await nodeStatuses(nc, token)) t.diagnostic(`${s.nodeId}: ${JSON.stringify(s.components["market"]).slice(0, 600)}`);
      throw err;
    });
    const brute = bruteForceBars(trades);
    for (const symbol of SYMBOLS) {
      const bars = await silverBars(nc, symbol);
      const ends = bars.map((b) => b.windowEnd);
      assert.equal(new Set(ends).size, ends.length, `${symbol}: no window emitted twice`);
      assert.deepEqual(ends, expected.map((b) => b.windowEnd), `${symbol}: every window, in order, none missing`);
      bars.forEach((bar, i) => assert.deepEqual(comparable(bar), { ...comparable(expected[i]!), symbol }, `${symbol} bar ${i}`));
      assert.deepEqual(
        bars.map((b) => [b.windowEnd, b.open, b.high, b.low, b.close, b.tradeCount]),
        brute.map((b) => [b.windowEnd, b.open, b.high, b.low, b.close, b.tradeCount]),
        `${symbol}: the brute-force bars`,
      );
    }
  } catch (err) {
    t.diagnostic(diagnostics());
    throw err;
  } finally {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.exited));
    await nc.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
});
