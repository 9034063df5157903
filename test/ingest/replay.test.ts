import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { Ingestor } from "../../src/ingest/ingestor.js";
import { MarketSimulator } from "../../src/simulator/server.js";
import { ReplaySource } from "../../src/simulator/replay-source.js";
import { waitFor } from "../helpers/wait.js";
import { FIRST_ID, LAST_ID, RECORDING, contiguityProblem, log, readTrades, startStack } from "./support.js";

async function replayOnce(stack: Awaited<ReturnType<typeof startStack>>) {
  const source = await ReplaySource.load(RECORDING, "max");
  await using sim = await MarketSimulator.start({ source });
  const ingestor = await Ingestor.start(stack.nc, { client: { baseUrl: sim.url, symbols: ["BTCUSDT"], log }, publisher: { spoolDir: stack.spoolDir, log } });
  try {
    await sim.whenEnded();
    await waitFor(() => {
      const s = ingestor.publisher.status();
      return s.accepted + s.duplicatesDropped === source.rows.length;
    }, { timeoutMs: 60_000, what: "every replayed trade handled" });
    await ingestor.publisher.flush();
    return ingestor.publisher.status();
  } finally {
    await ingestor.close();
  }
}

test("the 19,904-trade recording at max speed lands in the log exactly once, and a second replay adds nothing", async () => {
  await using stack = await startStack();
  const first = await replayOnce(stack);
  assert.equal(first.accepted, 19_904);
  assert.equal(first.published, 19_904);
  assert.equal(first.gaps, 0);
  assert.equal(first.invalid, 0);
  const trades = await readTrades(stack.nc);
  assert.equal(contiguityProblem(trades, FIRST_ID, LAST_ID), null);
  assert.equal(trades[0]!.priceText, "61837.63000000");
  assert.equal(trades[0]!.symbol, "BTCUSDT");
  assert.ok(trades.every((t) => t.source === "binance" && t.price > 0 && t.quantity > 0));
  const jsm = await jetstreamManager(stack.nc);
  const before = (await jsm.streams.info("TRADES")).state.messages;
  assert.ok(before < 19_904 / 5, `trades are batched (${before} messages)`);

  // A second ingestor starts from the stream's high-water mark: everything is a duplicate.
  const second = await replayOnce(stack);
  assert.equal(second.accepted, 0);
  assert.equal(second.duplicatesDropped, 19_904);
  assert.equal((await jsm.streams.info("TRADES")).state.messages, before);
});
