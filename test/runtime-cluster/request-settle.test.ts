import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestOne } from "@nats-io/nats-core/internal";
import { RequestError, TimeoutError, errors, type NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { settleWithoutCancelError } from "../../src/runtime/nats/request-settle.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { connectedNats } from "../helpers/nats-connect.js";

/** Counts RequestOne.cancel calls (each built a RequestError with a stack) while `body` runs. */
async function countingCancels<T>(body: () => Promise<T>): Promise<{ cancels: number; value: T }> {
  const proto = RequestOne.prototype as unknown as { cancel: (this: unknown, err?: Error) => void };
  const original = proto.cancel;
  let cancels = 0;
  proto.cancel = function (this: unknown, err?: Error) {
    cancels++;
    return original.call(this, err);
  };
  try {
    return { value: await body(), cancels };
  } finally {
    proto.cancel = original;
  }
}

/** Requests nats.js still tracks (its mux): 0 once all settled. */
function pendingRequests(nc: NatsConnection): number {
  return (nc as unknown as { protocol: { muxSubscriptions: { size(): number } } }).protocol.muxSubscriptions.size();
}

test("request-settle: connectNats installs it once, and a second install is a no-op", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "settle-once");
  assert.equal(settleWithoutCancelError(), false, "already installed by importing connect.ts");
});

test("request-settle: settled requests (JetStream publishes, KV puts, core requests) build no cancel error and leave nothing in the mux", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "settle-ok");
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "SETTLE", subjects: ["settle.>"] });
  const js = jetstream(nc);
  const kv = await new Kvm(nc).create("settle_kv");
  const echo = nc.subscribe("echo", { callback: (_e, m) => void m.respond(m.data) });

  const { cancels, value } = await countingCancels(async () => {
    const acks = await Promise.all(Array.from({ length: 200 }, (_, i) => js.publish(`settle.${i % 7}`, new TextEncoder().encode(String(i)), { msgID: `m${i}` })));
    const dup = await js.publish("settle.0", new TextEncoder().encode("0"), { msgID: "m0" });
    for (let i = 0; i < 20; i++) await kv.put(`k${i}`, String(i));
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => nc.request("echo", new TextEncoder().encode(`r${i}`), { timeout: 2000 })));
    return { seqs: acks.map((a) => a.seq), dup: dup.duplicate, replies: replies.map((r) => r.string()) };
  });

  assert.equal(cancels, 0, "no request was cancelled after it settled");
  assert.deepEqual([...value.seqs].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), "every publish acked once, in the stream");
  assert.equal(value.dup, true, "a repeated msgID is still acked as a duplicate");
  assert.deepEqual(value.replies, Array.from({ length: 50 }, (_, i) => `r${i}`));
  assert.equal((await kv.get("k19"))?.string(), "19");
  assert.equal(pendingRequests(nc), 0, "every settled request left the mux");
  echo.unsubscribe();
});

test("request-settle: failures still reject as before — no responders, a JetStream error, a timeout", async () => {
  await using server = await startNatsServer();
  await using nc = await connectedNats(server.url, "settle-fail");
  await assert.rejects(nc.request("nobody.here", undefined, { timeout: 2000 }), (err: unknown) => err instanceof RequestError && err.isNoResponders());
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "SETTLE2", subjects: ["settle2.>"] });
  const js = jetstream(nc);
  await js.publish("settle2.a", new Uint8Array([1]));
  await assert.rejects(js.publish("settle2.a", new Uint8Array([2]), { expect: { lastSubjectSequence: 99 } }), /wrong last sequence/i);
  const silent = nc.subscribe("silent", { callback: () => {} });
  await assert.rejects(nc.request("silent", undefined, { timeout: 100 }), (err: unknown) => err instanceof TimeoutError || err instanceof errors.TimeoutError);
  silent.unsubscribe();
  assert.equal(pendingRequests(nc), 0, "failed requests left the mux too");
});
