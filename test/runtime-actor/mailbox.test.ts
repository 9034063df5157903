import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorStopped } from "../../src/runtime/actor/errors.js";
import { Mailbox, PendingReply } from "../../src/runtime/actor/mailbox.js";

describe("Mailbox", () => {
  it("is FIFO across ring growth and wrap-around", () => {
    const box = new Mailbox<number>(100);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the ring grows from 8 slots.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) box.push(next++, undefined);
      for (let i = 0; i < 3; i++) out.push(box.shift());
    }
    while (box.length > 0) out.push(box.shift());
    assert.deepEqual(out, Array.from({ length: 100 }, (_, i) => i));
  });

  it("keeps each message's reply slot with it", () => {
    const box = new Mailbox<string>(4);
    const answers: unknown[] = [];
    box.push("tell", undefined);
    box.push("ask", new PendingReply((v) => answers.push(v), () => {}));
    assert.equal(box.shift(), "tell");
    assert.equal(box.shiftedReply, undefined);
    assert.equal(box.shift(), "ask");
    const reply = box.shiftedReply as PendingReply | undefined;
    reply?.resolve(42);
    reply?.resolve(43); // settles once
    assert.deepEqual(answers, [42]);
  });

  it("mustWait when full or when senders already wait; admits waiters FIFO", () => {
    const box = new Mailbox<string>(1);
    assert.equal(box.mustWait, false);
    box.push("a", undefined);
    assert.equal(box.mustWait, true);
    const admitted: string[] = [];
    box.waiting.push({ message: "b", reply: undefined, admitted: () => admitted.push("b"), refused: undefined });
    box.waiting.push({ message: "c", reply: undefined, admitted: () => admitted.push("c"), refused: undefined });
    box.admitWaiting();
    assert.deepEqual(admitted, [], "no room yet");
    assert.equal(box.shift(), "a");
    box.admitWaiting();
    assert.deepEqual(admitted, ["b"]);
    assert.equal(box.mustWait, true, "c still waits, so newcomers wait too");
    assert.equal(box.shift(), "b");
    box.admitWaiting();
    assert.equal(box.shift(), "c");
    assert.equal(box.mustWait, false);
  });

  it("dropAll rejects queued asks and blocked senders", () => {
    const box = new Mailbox<string>(1);
    const errors: unknown[] = [];
    box.push("ask", new PendingReply(() => {}, (e) => errors.push(e)));
    box.waiting.push({ message: "blocked", reply: undefined, admitted: undefined, refused: (e) => errors.push(e) });
    box.dropAll(new ActorStopped("/user/x"));
    assert.equal(box.length, 0);
    assert.equal(box.waiting.length, 0);
    assert.equal(errors.length, 2);
    assert.ok(errors.every((e) => e instanceof ActorStopped));
  });
});
