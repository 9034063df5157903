import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorStopped, ActorSystem, alwaysResume, AskTimeout, ManualClock, MailboxFull } from "../../src/runtime/actor/index.js";
import { type Deferred, deferred, flush, until } from "./util.js";

function newSystem(clock = new ManualClock()) {
  return new ActorSystem({ name: "test", clock, random: () => 0 });
}

describe("ordering", () => {
  it("handles concurrent tells one at a time in arrival order", async () => {
    await using system = newSystem();
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const ref = system.spawn<string>("log", () => ({
      async receive(m) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Yield a few times so an overlapping handler would interleave.
        for (let i = 0; i < 3; i++) await Promise.resolve();
        seen.push(m);
        inFlight--;
      },
    }));
    const senders = ["a", "b", "c", "d"].map(async (s) => {
      for (let i = 0; i < 50; i++) await ref.tell(`${s}${i}`);
    });
    await Promise.all(senders);
    await until(() => seen.length === 200, "all messages");
    assert.equal(maxInFlight, 1, "handlers never overlap");
    for (const s of ["a", "b", "c", "d"]) {
      const mine = seen.filter((m) => m.startsWith(s));
      assert.deepEqual(mine, Array.from({ length: 50 }, (_, i) => `${s}${i}`), `order of sender ${s}`);
    }
  });

  it("keeps the global enqueue order of synchronous tryTells", async () => {
    await using system = newSystem();
    const seen: number[] = [];
    const ref = system.spawn<number>("n", () => ({ receive: (m) => void seen.push(m) }));
    for (let i = 0; i < 500; i++) assert.ok(ref.tryTell(i));
    await until(() => seen.length === 500);
    assert.deepEqual(seen, Array.from({ length: 500 }, (_, i) => i));
  });
});

describe("ask", () => {
  it("resolves with the handler's return value, sync or async", async () => {
    await using system = newSystem();
    const ref = system.spawn<{ n: number; async: boolean }, number>("sq", () => ({
      receive: (m) => (m.async ? Promise.resolve(m.n * m.n) : m.n * m.n),
    }));
    assert.equal(await ref.ask({ n: 3, async: false }), 9);
    assert.equal(await ref.ask({ n: 4, async: true }), 16);
  });

  it("rejects with the handler's error (sync throw and async rejection)", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock(), supervisor: alwaysResume });
    const ref = system.spawn<string>("err", () => ({
      receive(m) {
        if (m === "sync") throw new RangeError("bad sync");
        if (m === "async") return Promise.reject(new TypeError("bad async"));
        return "ok";
      },
    }));
    await assert.rejects(ref.ask("sync"), RangeError);
    await assert.rejects(ref.ask("async"), TypeError);
  });

  it("rejects with AskTimeout when the clock passes the timeout; the message is still handled", async () => {
    const clock = new ManualClock();
    await using system = newSystem(clock);
    const gate = deferred();
    const handled: string[] = [];
    const ref = system.spawn<string, string>("slow", () => ({
      async receive(m) {
        await gate.promise;
        handled.push(m);
        return `answer ${m}`;
      },
    }));
    const answer = ref.ask("q", { timeoutMs: 250 });
    let settled = false;
    answer.then(() => (settled = true), () => (settled = true));
    clock.advance(249);
    await flush();
    assert.equal(settled, false, "not before the timeout");
    clock.advance(1);
    await assert.rejects(answer, (e: unknown) => e instanceof AskTimeout && e.timeoutMs === 250 && e.path === "/user/slow");
    gate.resolve();
    await until(() => handled.length === 1, "late handling");
    assert.deepEqual(handled, ["q"]);
  });

  it("uses the system's default ask timeout", async () => {
    const clock = new ManualClock();
    await using system = new ActorSystem({ name: "t", clock, defaultAskTimeoutMs: 40 });
    const gate = deferred();
    const ref = system.spawn<string>("never", () => ({ receive: () => gate.promise }));
    const answer = ref.ask("x");
    clock.advance(39);
    await flush();
    clock.advance(1);
    await assert.rejects(answer, AskTimeout);
    gate.resolve();
  });

  it("rejects asks and tells to a stopped actor with ActorStopped; tryTell returns false", async () => {
    await using system = newSystem();
    const ref = system.spawn<string>("gone", () => ({ receive: () => "x" }));
    await system.stop("gone");
    assert.equal(ref.isAlive, false);
    await assert.rejects(ref.ask("x"), ActorStopped);
    await assert.rejects(ref.tell("x"), ActorStopped);
    assert.equal(ref.tryTell("x"), false);
  });
});

describe("bounded mailbox", () => {
  it("makes tell wait while full and resumes as the actor consumes; tryTell returns false", async () => {
    await using system = newSystem();
    const gates: Deferred[] = [];
    const handled: number[] = [];
    const ref = system.spawn<number>("slow", () => ({
      async receive(m) {
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        handled.push(m);
      },
    }), { mailboxCapacity: 2 });

    await ref.tell(0); // taken into handling at once
    await until(() => gates.length === 1);
    await ref.tell(1);
    await ref.tell(2);
    assert.equal(ref.mailboxDepth, 2);
    assert.equal(ref.tryTell(99), false, "tryTell refuses when full");

    let thirdEnqueued = false;
    const third = ref.tell(3).then(() => (thirdEnqueued = true));
    let fourthEnqueued = false;
    const fourth = ref.tell(4).then(() => (fourthEnqueued = true));
    await flush();
    assert.equal(thirdEnqueued, false, "blocked while full");
    assert.equal(ref.tryTell(98), false, "tryTell does not overtake waiting senders");

    gates[0]!.resolve(); // actor finishes 0 and takes 1: room for exactly one waiter
    await third;
    await flush();
    assert.equal(fourthEnqueued, false, "senders are admitted one at a time, FIFO");
    assert.equal(ref.mailboxDepth, 2);

    gates[1]!.resolve();
    await fourth;
    for (let i = 2; i <= 4; i++) {
      await until(() => gates.length > i);
      gates[i]!.resolve();
    }
    await until(() => handled.length === 5);
    assert.deepEqual(handled, [0, 1, 2, 3, 4]);
  });

  it("keeps memory flat: a fast producer never grows the mailbox past its capacity", async () => {
    await using system = newSystem();
    const capacity = 8;
    let maxDepth = 0;
    let count = 0;
    const ref = system.spawn<number>("sink", () => ({
      async receive() {
        maxDepth = Math.max(maxDepth, ref.mailboxDepth);
        count++;
        await Promise.resolve();
      },
    }), { mailboxCapacity: capacity });
    const producers = [0, 1, 2].map(async () => {
      for (let i = 0; i < 2000; i++) await ref.tell(i);
    });
    await Promise.all(producers);
    await until(() => count === 6000);
    assert.ok(maxDepth <= capacity, `depth ${maxDepth} exceeded ${capacity}`);
    assert.equal(maxDepth, capacity, "the producers did fill the mailbox");
  });

  it("an ask waits for room too, and its timeout runs while it waits", async () => {
    const clock = new ManualClock();
    await using system = newSystem(clock);
    const gate = deferred();
    const ref = system.spawn<string, string>("one", () => ({ receive: async (m) => (await gate.promise, m) }), { mailboxCapacity: 1 });
    void ref.tell("busy");
    await flush();
    await ref.tell("queued");
    const waiting = ref.ask("waits", { timeoutMs: 100 });
    const timingOut = ref.ask("times-out", { timeoutMs: 10 });
    clock.advance(10);
    await assert.rejects(timingOut, AskTimeout);
    gate.resolve();
    assert.equal(await waiting, "waits");
  });

  it("MailboxFull is available for tryTell callers", () => {
    const error = new MailboxFull("/user/x", 10);
    assert.equal(error.name, "MailboxFull");
    assert.match(error.message, /capacity 10/);
  });
});
