/**
 * readStreamSlice on a real nats-server: every message of a slice whose messages are large (a
 * thousand-trade batch is ~100 kB) arrives, in order, up to the end sequence and no further. A
 * slice read short would make verify report from part of the log.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsWithStreams } from "../helpers/nats-streams.js";
import { readStreamSlice } from "../../src/runtime/nats/stream-slice.js";
import { lastMessages } from "../../src/control/last-messages.js";

test("a slice of 700 messages of 100 kB is read whole and in order, and stops at its end", async () => {
  await using nats = await startNatsWithStreams([{ name: "BIG", subjects: ["big.>"] }]);
  const { js } = nats;
  const payload = new Uint8Array(100_000);
  for (let i = 1; i <= 700; i++) {
    payload[0] = i % 256;
    await js.publish(i % 2 ? "big.a" : "big.b", payload);
  }
  const seen: number[] = [];
  // Folding a message costs time (decoding a batch, replaying windows) while the next ones arrive.
  const fold = (seq: number) => {
    const until = performance.now() + 3;
    while (performance.now() < until);
    seen.push(seq);
  };
  const all = await readStreamSlice(js, { stream: "BIG", subject: "big.>", endSeq: 700 }, (m) => fold(m.seq));
  assert.deepEqual(all, { fromSeq: 1, toSeq: 700, messages: 700 });
  assert.deepEqual(seen, Array.from({ length: 700 }, (_, i) => i + 1));
  const part = await readStreamSlice(js, { stream: "BIG", subject: "big.a", endSeq: 400 }, () => {});
  assert.deepEqual(part, { fromSeq: 1, toSeq: 399, messages: 200 });
  const future = await readStreamSlice(js, { stream: "BIG", subject: "big.>", startTime: Date.now() + 60_000, endSeq: 700 }, () => {});
  assert.deepEqual(future, { fromSeq: null, toSeq: null, messages: 0 });
});

test("readStreamSlice from a sequence, and lastMessages over large messages returns the true last ones", async () => {
  await using nats = await startNatsWithStreams([{ name: "BIG", subjects: ["big.>"] }]);
  const { js, jsm } = nats;
  const payload = new Uint8Array(100_000);
  for (let i = 1; i <= 600; i++) await js.publish(i % 3 ? "big.a" : "big.b", payload);
  const fromSeq = await readStreamSlice(js, { stream: "BIG", subject: "big.>", startSeq: 551, endSeq: 600 }, () => {});
  assert.deepEqual(fromSeq, { fromSeq: 551, toSeq: 600, messages: 50 });
  // The control plane's log browser: the last 300 of 600 large messages, every one of them.
  const last = await lastMessages(jsm, js, { stream: "BIG", subject: "big.>", limit: 300, maxBytes: 16 });
  assert.deepEqual(last.map((m) => m.seq), Array.from({ length: 300 }, (_, i) => 301 + i));
  const lastB = await lastMessages(jsm, js, { stream: "BIG", subject: "big.b", limit: 5 });
  assert.deepEqual(lastB.map((m) => m.seq), [588, 591, 594, 597, 600]);
});

test("an abort stops a slice read mid-way: it throws the signal's reason and leaves no consumer on the server", async () => {
  await using nats = await startNatsWithStreams([{ name: "LONG", subjects: ["long.>"] }]);
  const { nc, js, jsm } = nats;
  for (let i = 1; i <= 5_000; i++) js.publish("long.a", new Uint8Array(16)).catch(() => {});
  await nc.flush();
  const { state } = await jsm.streams.info("LONG");
  assert.equal(state.last_seq, 5_000);
  const shutdown = new AbortController();
  let seen = 0;
  const read = readStreamSlice(js, { stream: "LONG", subject: "long.>", endSeq: 5_000 }, () => {
    if (++seen === 100) shutdown.abort(new Error("the node is shutting down"));
  }, shutdown.signal);
  await assert.rejects(read, /the node is shutting down/);
  assert.ok(seen < 1_000, `stopped soon after the abort, not at the end of the slice: ${seen} messages folded`);
  assert.equal((await jsm.streams.info("LONG")).state.consumer_count, 0, "the ephemeral consumer is deleted");
  // Already aborted: nothing is read at all.
  await assert.rejects(readStreamSlice(js, { stream: "LONG", subject: "long.>", endSeq: 5_000 }, () => assert.fail("read after abort"), shutdown.signal), /the node is shutting down/);
});
