/**
 * The silver lake writer actor (src/actors/lake/writers.ts) on a real nats-server, with bars that
 * trickle in while it runs: a message that breaks the SilverBar contract is skipped and reported
 * with its sequence, the bars before and after it land once, and the table's position covers the
 * skipped message, so a restart does not read it again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ActorSystem, restartForever } from "../../src/runtime/actor/index.js";
import { STREAMS, silverSubject } from "../../src/runtime/nats/spec.js";
import { Lake, silverBarFromRow, silverBarsDefinition, SILVER_BARS_APP_ID, type FlushResult } from "../../src/lake/index.js";
import { silverWriterActor } from "../../src/actors/lake/writers.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

function bar(i: number): SilverBar {
  const windowStart = Date.UTC(2026, 0, 1) + i * 10_000;
  return {
    symbol: "BTCUSDT", windowStart, windowEnd: windowStart + 30_000, open: 100, high: 102, low: 99, close: 101 + i, avgPrice: 100.5, vwap: 100.6,
    volume: 3, tradeCount: 12, volatility: 0.4, firstTradeId: i * 100, lastTradeId: i * 100 + 11, firstTradeTime: windowStart + 1, lastTradeTime: windowStart + 29_000,
    closedByIngestTime: windowStart + 32_000, features: null, prediction: 101 + i, modelVersion: "naive", emittedAt: windowStart + 32_005,
  };
}

test("silver writer: a malformed message is skipped and reported, the bars around it land once, trickling in", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const dir = mkdtempSync(join(tmpdir(), "silver-writer-"));
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAMS.silver, subjects: ["silver.>"] });
    const js = jetstream(nc);
    const table = await Lake.open(dir).ensureTable(silverBarsDefinition);
    const commits: FlushResult[] = [];
    const rejects: { seq: number; error: string }[] = [];
    await using system = new ActorSystem({ name: "t" });
    system.spawn(
      "lake-silver",
      silverWriterActor({
        js, jsm, table,
        onCommit: (r) => commits.push(r),
        onError: (err) => assert.fail(`writer error: ${String(err)}`),
        onReject: (seq, _subject, err) => rejects.push({ seq, error: err instanceof Error ? err.message : String(err) }),
      }),
      { supervisor: restartForever },
    );
    const publish = (payload: unknown) => js.publish(silverSubject("BTCUSDT"), JSON.stringify(payload));
    // One message at a time, each after the writer has taken the previous one.
    await publish(bar(1));
    await new Promise((r) => setTimeout(r, 300));
    await publish({ ...bar(2), close: "101" });
    await new Promise((r) => setTimeout(r, 300));
    await publish(bar(3));
    await waitFor(() => commits.some((c) => c.lastLogSeq === 3), { timeoutMs: 20_000, what: "a commit covering sequence 3" });

    assert.deepEqual(rejects.map((r) => r.seq), [2]);
    assert.match(rejects[0]!.error, /close/);
    const rows = (await table.read()).map(silverBarFromRow).sort((a, b) => a.logSeq - b.logSeq);
    assert.deepEqual(rows.map((r) => [r.logSeq, r.windowStart, r.close]), [
      [1, bar(1).windowStart, bar(1).close],
      [3, bar(3).windowStart, bar(3).close],
    ]);
    const snapshot = await table.snapshot();
    assert.equal(snapshot.txns.get(SILVER_BARS_APP_ID), 3, "the table's position covers the skipped message");
  } finally {
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
