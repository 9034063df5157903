import { test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { coalesceWrites } from "../../src/runtime/nats/write-coalesce.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { connectedNats } from "../helpers/nats-connect.js";
import { countSocketWrites } from "../helpers/nats-writes.js";
import { waitFor } from "../helpers/wait.js";

/** Counts the connection's socket writes while `body` runs (and until its immediates ran). */
async function countingWrites(nc: NatsConnection, body: () => Promise<void>): Promise<number> {
  const writes = countSocketWrites(nc);
  try {
    await body();
    await new Promise((r) => setImmediate(r));
    return writes.count;
  } finally {
    writes.restore();
  }
}

test("write-coalesce: connectNats installs it once, and a second install is a no-op", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "coalesce-once");
  assert.equal(coalesceWrites(), false, "already installed by importing connect.ts");
});

test("write-coalesce: publishes from one event-loop turn, across awaits, go out in one write, in order", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "coalesce-pub");
  await using reader = await connectedNats(server.url, "coalesce-sub");
  const got: string[] = [];
  const sub = reader.subscribe("coalesce.>", { callback: (_e, m) => void got.push(m.string()) });
  await reader.flush();
  const writes = await countingWrites(nc, async () => {
    for (let i = 0; i < 100; i++) {
      await Promise.resolve(); // an await between publishes, as in an actor's chain
      nc.publish(`coalesce.${i % 3}`, String(i));
    }
  });
  assert.equal(writes, 1, "one write for the turn (nats.js's microtask flush wrote once per await)");
  await nc.flush();
  await waitFor(() => got.length >= 100, { timeoutMs: 5000, what: "100 messages" }).catch(() => {});
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => String(i)), "every message, in publish order");
  sub.unsubscribe();
});

test("write-coalesce: publishes from timer callbacks due together (a node's live ticks) go out in one write, each once", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "coalesce-timers");
  await using reader = await connectedNats(server.url, "coalesce-timers-sub");
  const got: string[] = [];
  reader.subscribe("tick.>", { callback: (_e, m) => void got.push(m.string()) });
  await reader.flush();
  const writes = await countingWrites(nc, async () => {
    await new Promise<void>((resolve) => {
      let left = 100;
      for (let i = 0; i < 100; i++) {
        setTimeout(async () => {
          await Promise.resolve(); // a timer firing mid-chain: the publish comes after an await
          nc.publish(`tick.${i}`, String(i));
          if (--left === 0) resolve();
        }, 5);
      }
    });
  });
  // Node runs the microtasks after each timer callback: nats.js wrote once per timer here.
  assert.ok(writes <= 2, `100 timer publishes in ${writes} writes`);
  await nc.flush();
  await waitFor(() => got.length >= 100, { timeoutMs: 5000, what: "100 ticks" }).catch(() => {});
  assert.deepEqual([...got].sort((a, b) => Number(a) - Number(b)), Array.from({ length: 100 }, (_, i) => String(i)), "every tick once");
});

test("write-coalesce: a buffer past the pending limit is written at once; close() writes what is buffered", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "coalesce-big");
  await using reader = await connectedNats(server.url, "coalesce-big-sub");
  let received = 0;
  reader.subscribe("big.>", { callback: () => void received++ });
  await reader.flush();
  const big = new Uint8Array(40 * 1024);
  const writes = await countingWrites(nc, async () => {
    for (let i = 0; i < 5; i++) nc.publish("big.x", big);
  });
  assert.ok(writes >= 3, `past 32 KiB the buffer is written inline: every second 40 KiB publish (${writes} writes, 1 if never inline)`);
  // Published and closed in the same turn: no immediate ran before close.
  for (let i = 0; i < 50; i++) nc.publish("big.y", String(i));
  await nc.close();
  await waitFor(() => received >= 55, { timeoutMs: 5000, what: "55 messages" }).catch(() => {});
  assert.equal(received, 55, "the 50 publishes made just before close() arrived");
});
