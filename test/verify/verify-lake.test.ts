/**
 * verifyLake on a real nats-server and a lake on disk: the recorded BTCUSDT trades (and a slice
 * of XRP/ETH) go to TRADES in the ingest batch format, into bronze through the real LakeWriter,
 * through the SymbolActor's own transition into SILVER and silver_bars. A clean run reports 0;
 * a run with planted defects reports each one, by id and window.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { postgresBackend } from "../db/fixtures.js";
import { migrate } from "../../src/db/migrate.js";
import { decodeSilverBar } from "../../src/db/serving/decode.js";
import { upsertSilverBars } from "../../src/db/serving/upsert.js";
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import { silverTableRow } from "../../src/lake/tables/silver-bars.js";
import { Lake } from "../../src/lake/lake.js";
import { LocalStorage } from "../../src/lake/storage/local.js";
import { LakeWriter } from "../../src/lake/writer/lake-writer.js";
import { BRONZE_TRADES_APP_ID, bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/tables/bronze-trades.js";
import { SILVER_BARS_APP_ID, silverBarsDefinition, silverBarsMapping, type SilverTableRow } from "../../src/lake/tables/silver-bars.js";
import { encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { emptyTail, encodePartitionMessage } from "../../src/ingest/partition-log.js";
import type { GapEvent } from "../../src/ingest/publisher-types.js";
import type { Trade } from "../../src/market/trade.js";
import { verifyLake, type VerifyReport } from "../../src/verify/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, runAudit } from "../../src/quality/index.js";
import { btcTrades, xrpEthTrades } from "../quality/fixtures.js";

const BTC = btcTrades();
const XRP = xrpEthTrades().slice(0, 6000);

interface Defects {
  /** Trade ids (BTCUSDT) left out of the log and of bronze; `reported` ones get a GapEvent. */
  logHole?: { ids: number[]; reported: boolean };
  bronzeDrop?: number;
  bronzeDouble?: number;
  /** Index of a BTCUSDT bar left out of silver_bars / written twice. */
  silverDrop?: number;
  silverDouble?: number;
  /** Every bar published to SILVER (the serving writer's input). */
  onSilver?: (bar: SilverBar, seq: number) => Promise<void>;
  /** "per partition": the log holds per-partition messages (both symbols' batches in each), not one message per symbol. */
  layout?: "per partition";
}

/** Publishes the log, writes bronze and silver as the platform does, plus one message bronze has not committed. */
async function seed(nc: NatsConnection, lake: Lake, d: Defects): Promise<{ bars: SilverBar[] }> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: "TRADES", subjects: ["md.trades.>"] });
  await jsm.streams.add({ name: "SILVER", subjects: ["silver.>"] });
  await jsm.streams.add({ name: "EVENTS", subjects: ["events.>"] });
  const bronze = new LakeWriter<Trade>({ table: await lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: BRONZE_TRADES_APP_ID });
  const silver = new LakeWriter<SilverTableRow>({ table: await lake.ensureTable(silverBarsDefinition), mapping: silverBarsMapping, appId: SILVER_BARS_APP_ID });
  const hole = new Set(d.logHole?.ids ?? []);
  const btcBars: SilverBar[] = [];
  // The log's messages, each a list of (symbol, batch of 250): one symbol's after the other, or both zipped per partition.
  const slices = ([["BTCUSDT", BTC], ["XRPETH", XRP]] as const).map(([symbol, all]) => {
    const trades = all.filter((t) => !hole.has(t.tradeId));
    return Array.from({ length: Math.ceil(trades.length / 250) }, (_, k) => [symbol, trades.slice(k * 250, k * 250 + 250)] as const);
  });
  const messages = d.layout === "per partition" ? Array.from({ length: Math.max(...slices.map((x) => x.length)) }, (_, k) => slices.flatMap((x) => (x[k] ? [x[k]] : []))) : slices.flat().map((x) => [x]);
  const states = new Map(["BTCUSDT", "XRPETH"].map((symbol) => [symbol, createSymbolState(symbol)]));
  for (const message of messages) {
    const { seq } =
      d.layout === "per partition"
        ? await js.publish("md.trades.0.all", encodePartitionMessage(message.map(([, batch]) => ({ trades: batch })), emptyTail(), false))
        : await js.publish(`md.trades.0.${message[0]![0]}`, encodeTradeBatch(message[0]![1]));
    bronze.add(message.flatMap(([, batch]) => batch.filter((t) => t.tradeId !== d.bronzeDrop).flatMap((t) => (t.tradeId === d.bronzeDouble ? [t, t] : [t]))), seq);
    for (const [symbol, batch] of message) {
      const state = states.get(symbol)!;
      const { effects } = transition(state, { type: "trades", seq, trades: batch }, batch[batch.length - 1]!.ingestTime);
      for (const e of effects) {
        if (e.type !== "publish-bar") continue;
        const n = symbol === "BTCUSDT" ? btcBars.push(e.bar) - 1 : -1;
        const ack = await js.publish(`silver.${symbol}`, JSON.stringify(e.bar));
        const row = silverTableRow(e.bar, ack.seq);
        silver.add(n === d.silverDrop ? [] : n === d.silverDouble ? [row, row] : [row], ack.seq);
        await d.onSilver?.(e.bar, ack.seq);
      }
    }
  }
  if (d.logHole?.reported) {
    const ids = d.logHole.ids;
    const gap: GapEvent = { source: "binance", symbol: "BTCUSDT", fromId: Math.min(...ids), toId: Math.max(...ids), missing: ids.length };
    await js.publish("events.ingest.gap.BTCUSDT", JSON.stringify(gap));
  }
  await bronze.flush();
  await silver.flush();
  // Newer than both commits: a live system's next batch, which no table holds yet.
  const later = BTC.slice(-3).map((t, i) => ({ ...t, tradeId: BTC[BTC.length - 1]!.tradeId + 1000 + i, tradeTime: t.tradeTime + 60_000 }));
  if (d.layout === "per partition") await js.publish("md.trades.0.all", encodePartitionMessage([{ trades: later }], emptyTail(), false));
  else await js.publish("md.trades.0.BTCUSDT", encodeTradeBatch(later));
  await js.publish("silver.BTCUSDT", JSON.stringify({ ...btcBars[btcBars.length - 1]!, windowStart: btcBars[btcBars.length - 1]!.windowStart + 600_000 }));
  return { bars: btcBars };
}

async function withSeeded<T>(d: Defects, fn: (nc: NatsConnection, lake: Lake, bars: SilverBar[]) => Promise<T>): Promise<T> {
  await using nats = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), "verify-lake-"));
  const nc = await connect({ servers: nats.url });
  try {
    const lake = new Lake(new LocalStorage(dir));
    const { bars } = await seed(nc, lake, d);
    return await fn(nc, lake, bars);
  } finally {
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function verifyWith(d: Defects, since?: number): Promise<{ report: VerifyReport; bars: SilverBar[] }> {
  return withSeeded(d, async (nc, lake, bars) => ({ report: await verifyLake({ nc, lake, ...(since !== undefined ? { sinceMs: since } : {}) }), bars }));
}

test("a clean log, bronze and silver reconcile to zero; an uncommitted tail and a reported exchange gap are no findings", async () => {
  const gapIds = [BTC[300]!.tradeId, BTC[301]!.tradeId];
  const { report } = await verifyWith({ logHole: { ids: gapIds, reported: true } });
  const t = report.totals;
  assert.equal(report.status, "PASSED", JSON.stringify(report, null, 2));
  assert.equal(t.symbols, 2);
  assert.equal(t.logTrades, BTC.length - 2 + XRP.length);
  assert.equal(t.bronzeTrades, t.logTrades);
  assert.deepEqual([t.holes, t.missingFromBronze, t.extraInBronze, t.duplicateIds], [0, 0, 0, 0]);
  assert.equal(t.reportedGapIds, 2);
  assert.ok(t.barsExpected > 50, `expected bars: ${t.barsExpected}`);
  assert.deepEqual([t.missingBars, t.doubledBars, t.unexpectedBars], [0, 0, 0]);
  assert.equal(report.trades.uncommitted, 1, "the message after the bronze commit is left out");
  assert.equal(report.silver.uncommitted, 1);
  assert.deepEqual([report.tradeFindings, report.barFindings], [[], []]);
});

test("a log of per-partition messages reconciles the same way: clean, then a lost and a doubled trade reported", async () => {
  const clean = (await verifyWith({ layout: "per partition" })).report;
  assert.equal(clean.status, "PASSED", JSON.stringify(clean, null, 2));
  assert.equal(clean.totals.symbols, 2);
  assert.equal(clean.totals.logTrades, BTC.length + XRP.length);
  assert.equal(clean.totals.bronzeTrades, clean.totals.logTrades);
  assert.ok(clean.totals.barsExpected > 50);
  assert.deepEqual([clean.totals.missingBars, clean.totals.doubledBars, clean.totals.unexpectedBars], [0, 0, 0]);
  assert.equal(clean.trades.uncommitted, 1, "the message after the bronze commit is left out");
  const broken = (await verifyWith({ layout: "per partition", bronzeDrop: XRP[100]!.tradeId, bronzeDouble: BTC[200]!.tradeId })).report;
  assert.equal(broken.status, "FAILED");
  assert.deepEqual([broken.totals.missingFromBronze, broken.totals.duplicateIds], [1, 1]);
});

test("a lost trade, a doubled trade, an unreported hole, a lost bar and a doubled bar are each reported", async () => {
  const hole = BTC[500]!.tradeId;
  const lost = BTC[700]!.tradeId;
  const doubled = BTC[900]!.tradeId;
  const { report, bars } = await verifyWith({ logHole: { ids: [hole], reported: false }, bronzeDrop: lost, bronzeDouble: doubled, silverDrop: 20, silverDouble: 30 });
  assert.equal(report.status, "FAILED");
  const t = report.totals;
  assert.deepEqual({ holes: t.holes, missing: t.missingFromBronze, extra: t.extraInBronze, dups: t.duplicateIds }, { holes: 1, missing: 1, extra: 0, dups: 1 });
  assert.deepEqual({ missing: t.missingBars, doubled: t.doubledBars, unexpected: t.unexpectedBars }, { missing: 1, doubled: 1, unexpected: 0 });
  assert.equal(report.tradeFindings.length, 1);
  const f = report.tradeFindings[0]!;
  assert.equal(f.symbol, "BTCUSDT");
  assert.deepEqual(f.holes.ranges, [[hole, hole]]);
  assert.deepEqual(f.missingFromBronze.ranges, [[lost, lost]]);
  assert.deepEqual(f.duplicateIds.ranges, [[doubled, doubled]]);
  const b = report.barFindings[0]!;
  assert.equal(b.symbol, "BTCUSDT");
  assert.deepEqual(b.missing.ranges, [[bars[20]!.windowStart, bars[20]!.windowStart]]);
  assert.deepEqual(b.doubled.ranges, [[bars[30]!.windowStart, bars[30]!.windowStart]]);
});

test("--since compares only the log from then on, and bronze from the log's first id", async () => {
  // Every message was stored moments ago: a since in the past covers all, one in the future none.
  const { report } = await verifyWith({ bronzeDrop: BTC[10]!.tradeId }, Date.now() - 3_600_000);
  assert.equal(report.totals.missingFromBronze, 1);
  const { report: none } = await verifyWith({ bronzeDrop: BTC[10]!.tradeId }, Date.now() + 3_600_000);
  assert.equal(none.status, "PASSED");
  assert.equal(none.totals.logTrades, 0);
  assert.equal(none.trades.messages, 0);
});

test("the quality gate runs the reconciliation and FAILS on a duplicated trade", async () => {
  const doubled = BTC[123]!.tradeId;
  const report = await withSeeded({ bronzeDouble: doubled }, (nc, lake) =>
    runAudit({ lake, log: createLogger({ node: "n", level: "error", write: () => {} }), now: Date.now, subscribed: () => [], options: DEFAULT_QUALITY_OPTIONS, verify: (sinceMs) => verifyLake({ nc, lake, sinceMs }) }, { trigger: "test", sinceMs: null }),
  );
  const reconcile = report.checks.filter((c) => c.check === "reconcile");
  assert.deepEqual(reconcile.map((c) => [c.table, c.status, c.failed]), [["bronze_trades", "FAILED", 1], ["silver_bars", "PASSED", 0]]);
  assert.match(reconcile[0]!.samples[0]!.detail, new RegExp(`BTCUSDT: id ${doubled} more than once in bronze`));
  assert.equal(report.status, "FAILED");
});

test("the serving table in PostgreSQL: a bar the serving writer lost is reported, bars past its ack floor are pending", async () => {
  await using db = await postgresBackend().open();
  await migrate(db);
  const published: { bar: SilverBar; seq: number }[] = [];
  const report = await withSeeded({ onSilver: async (bar, seq) => void published.push({ bar, seq }) }, async (nc, lake) => {
    // The serving writer upserted and acknowledged all but the last 5 bars, and lost one BTCUSDT bar.
    const lostBar = published.find((p) => p.bar.symbol === "BTCUSDT" && p.seq > 20)!;
    const acked = published.slice(0, -5);
    await upsertSilverBars(db, acked.filter((p) => p !== lostBar).map((p) => decodeSilverBar(JSON.stringify(p.bar))));
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add("SILVER", { durable_name: "serving", ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(nc).consumers.get("SILVER", "serving");
    const floor = acked[acked.length - 1]!.seq;
    for (let done = false; !done; ) {
      for await (const m of await consumer.fetch({ max_messages: 100, expires: 2_000 })) {
        if (m.seq > floor) break;
        await m.ackAck();
        done = m.seq === floor;
        if (done) break;
      }
    }
    await waitFor(async () => (await jsm.consumers.info("SILVER", "serving")).ack_floor.stream_seq === floor, { what: "the serving ack floor" });
    const r = await verifyLake({ nc, lake, serving: { db } });
    return { r, lostBar, floor };
  });
  const { r, lostBar, floor } = report;
  assert.deepEqual(r.serving, { durable: "serving", ackFloor: floor });
  assert.equal(r.status, "FAILED");
  assert.equal(r.totals.servingMissing, 1);
  assert.equal(r.totals.servingUnexpected, 0);
  assert.deepEqual(r.servingFindings.map((f) => [f.symbol, f.missing.ranges]), [["BTCUSDT", [[lostBar.bar.windowStart, lostBar.bar.windowStart]]]]);
  assert.equal(r.totals.barsExpected - r.totals.servingExpected, 5, "the 5 unacknowledged bars are pending, not missing");
  assert.equal(r.totals.servingPresent, r.totals.servingExpected - 1);
  assert.equal(r.totals.missingBars + r.totals.missingFromBronze, 0, "the lake itself is clean");
});
