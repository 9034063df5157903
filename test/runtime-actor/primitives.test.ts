import { test } from "node:test";
import assert from "node:assert/strict";
import { OneAtATime } from "../../src/runtime/one-at-a-time.js";
import { onAbort } from "../../src/runtime/abort.js";
import { DeliveryOrder } from "../../src/runtime/nats/delivery-order.js";

test("OneAtATime: an idle job starts in the caller's turn; later ones wait for the one before, whatever it ended in", async () => {
  const q = new OneAtATime();
  const log: string[] = [];
  let release!: () => void;
  const a = q.run(async () => {
    log.push("a started");
    await new Promise<void>((r) => (release = r));
    log.push("a done");
    throw new Error("a failed");
  });
  assert.deepEqual(log, ["a started"], "started before run() returned");
  const b = q.run(async () => void log.push("b started"));
  const c = q.run(async () => {
    log.push("c started");
    return 3;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ["a started"], "b and c wait for a");
  release();
  await assert.rejects(a, /a failed/);
  assert.equal(await c, 3);
  await b;
  await q.idle();
  assert.deepEqual(log, ["a started", "a done", "b started", "c started"]);
  let started = false;
  void q.run(async () => void (started = true));
  assert.equal(started, true, "idle again: the next job starts at once");
});

test("onAbort: calls stop once on a later abort, at once when already aborted, never after unlisten", () => {
  const later = new AbortController();
  let n = 0;
  onAbort(later.signal, () => n++);
  assert.equal(n, 0);
  later.abort();
  later.abort();
  assert.equal(n, 1);

  const already = new AbortController();
  already.abort();
  let m = 0;
  onAbort(already.signal, () => m++);
  assert.equal(m, 1, "the abort came before the listener: no event would have fired");

  const removed = new AbortController();
  let k = 0;
  onAbort(removed.signal, () => k++)();
  removed.abort();
  assert.equal(k, 0);
  onAbort(undefined, () => assert.fail("no signal, no call"))();
});

test("DeliveryOrder: 1, 2, 3, … from the first message on; a gap or a late start is refused", () => {
  const msg = (deliverySequence: number) => ({ info: { deliverySequence } }) as Parameters<DeliveryOrder["accept"]>[0];
  const order = new DeliveryOrder();
  assert.deepEqual([1, 2, 3].map((d) => order.accept(msg(d))), [true, true, true]);
  assert.equal(order.expected, 4);
  assert.equal(order.accept(msg(6)), false, "deliveries 4 and 5 went elsewhere");
  assert.equal(order.accept(msg(7)), true, "it goes on from what it saw");
  assert.equal(new DeliveryOrder().accept(msg(2)), false, "a first pull lost in transit is noticed too");
});
