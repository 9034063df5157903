import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedData } from "../helpers/shared-data.js";
import { waitFor } from "../helpers/wait.js";
import { assertBarMatches, bruteForceBars, bruteForceFeatures, silverBars } from "./support.js";
import { startReplayNode, waitForLoggedTrades } from "./replay-node.js";

const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");
const FIRST_ID = 3735683259;
const TRADES = 19_904;

test("the BTCUSDT recording through simulator → ingest → log → SymbolActor: every trade once, bars and features as computed by hand, a prediction on every bar", async () => {
  // Event time only (no idle watermarks): the bars are what the trades close, however long the run takes; idle-watermark.test.ts has the rest.
  await using run = await startReplayNode({ recording: RECORDING, speed: "max", nodeId: "replay1", flags: ["--idle-timeout", "0"] });
  const nc = run.nc;
  const trades = await waitForLoggedTrades(nc, TRADES);
  const ids = trades.map((t) => t.tradeId).sort((a, b) => a - b);
  assert.equal(ids.length, TRADES, "no trade twice");
  assert.deepEqual([ids[0], ids[ids.length - 1]], [FIRST_ID, FIRST_ID + TRADES - 1]);
  assert.ok(ids.every((id, k) => id === FIRST_ID + k), "ids contiguous: no trade lost");

  const expected = bruteForceBars(trades);
  const bars = await waitFor(
    async () => {
      const got = await silverBars(nc, "BTCUSDT");
      return got.length >= expected.length ? got : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, what: `${expected.length} silver bars` },
  );
  assert.equal(bars.length, expected.length, "one bar per closed window, none twice");
  bars.forEach((bar, i) => {
    const want = expected[i]!;
    const where = `bar ${i} (${new Date(want.windowEnd).toISOString()})`;
    assertBarMatches(bar, want, where);
    const features = bruteForceFeatures(expected, i);
    if (features === null) assert.equal(bar.features, null, `${where} is in warm-up`);
    else for (const [name, value] of Object.entries(features)) assert.ok(Math.abs((bar.features as Record<string, number>)[name]! - value) < 1e-8, `${where} ${name}`);
    assert.equal(typeof bar.prediction, "number", `${where} has a prediction`);
    assert.equal(bar.modelVersion, "naive");
    assert.ok(bar.emittedAt >= bar.closedByIngestTime, `${where} latency is measured`);
  });
});
