/**
 * A live symbol that goes quiet: its last windows close by the idle watermark the ingest
 * publisher logs, not by a trade that may never come. A real node (ingest + market roles) reads
 * a slice of the recorded BTCUSDT stream at 10× its real pace from the simulator, whose socket
 * then stays open with nothing more to say.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeTradeLogEntries } from "../../src/ingest/partition-log.js";
import { sharedData } from "../helpers/shared-data.js";
import { waitFor } from "../helpers/wait.js";
import { assertBarMatches, bruteForceBars, readSubject, silverBars, tempDir } from "./support.js";
import { startReplayNode, waitForLoggedTrades } from "./replay-node.js";

const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");
const TRADES = 1_500;
const WINDOW = { sizeMs: 3_000, slideMs: 1_000, latenessMs: 200 };

test("a symbol gone quiet: idle watermarks in the log close its last windows, each bar equal to the plain computation", async () => {
  const dir = tempDir("idle-slice-");
  const slice = join(dir, "btcusdt-slice.jsonl");
  writeFileSync(slice, readFileSync(RECORDING, "utf8").split("\n").slice(0, TRADES).join("\n") + "\n");
  using _ = { [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
  const flags = ["--window-size", `${WINDOW.sizeMs}ms`, "--window-slide", `${WINDOW.slideMs}ms`, "--allowed-lateness", `${WINDOW.latenessMs}ms`, "--idle-timeout", "1s"];
  await using run = await startReplayNode({ recording: slice, speed: 10, nodeId: "idle1", flags });
  const nc = run.nc;
  const trades = await waitForLoggedTrades(nc, TRADES);
  assert.equal(trades.length, TRADES);
  const byEventTime = bruteForceBars(trades, WINDOW.sizeMs, WINDOW.slideMs, WINDOW.latenessMs);
  // Every window holding a trade: the watermark one window past the last trade.
  const all = bruteForceBars(trades, WINDOW.sizeMs, WINDOW.slideMs, -WINDOW.sizeMs);
  assert.ok(all.length - byEventTime.length >= 3, `the trades alone leave the last windows open (${byEventTime.length} of ${all.length})`);
  const bars = await waitFor(
    async () => {
      const got = await silverBars(nc, "BTCUSDT");
      return got.length >= all.length ? got : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300, what: `${all.length} silver bars, the last ${all.length - byEventTime.length} closed by idle watermarks` },
  );
  assert.equal(bars.length, all.length, "one bar per window, none twice");
  bars.forEach((bar, i) => assertBarMatches(bar, all[i]!, `bar ${i} (${new Date(all[i]!.windowEnd).toISOString()})`));
  // The marks are in the log after the last trade, moving forward, carrying its id as the high-water mark.
  const entries = (await readSubject(nc, "TRADES", "md.trades.>")).flatMap((d) => decodeTradeLogEntries(d));
  const marks = entries.flatMap((e) => (e.mark && "watermark" in e.mark ? [e.mark] : []));
  const lastTrade = trades[trades.length - 1]!;
  assert.ok(marks.length >= 1, "idle marks logged");
  assert.ok(marks.every((m) => m.symbol === "BTCUSDT" && m.lastId === lastTrade.tradeId && m.watermark > lastTrade.tradeTime), JSON.stringify(marks.slice(0, 3)));
  assert.deepEqual(marks.map((m) => m.watermark), [...marks.map((m) => m.watermark)].sort((a, b) => a - b));
  const lastBar = bars[bars.length - 1]!;
  assert.ok(marks.some((m) => m.at === lastBar.closedByIngestTime), "the last bar records the mark that closed it");
});
