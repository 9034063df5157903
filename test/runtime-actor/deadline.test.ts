import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorStopped, ActorSystem, ManualClock } from "../../src/runtime/actor/index.js";
import { deferred, flush, ofType, recordEvents } from "./util.js";

describe("stop deadlines", () => {
  it("shutdown with timeoutMs aborts what is still running at the deadline", async () => {
    const clock = new ManualClock();
    const system = new ActorSystem({ name: "t", clock });
    const events = recordEvents(system.events);
    const stuck = deferred<string>();
    const postStops: string[] = [];
    const healthy = system.spawn<string, string>("healthy", () => ({ receive: (m) => m, postStop: (ctx) => void postStops.push(ctx.path) }));
    const blocked = system.spawn<string, string>("blocked", () => ({
      preStart: (ctx) => void ctx.spawn("child", () => ({ receive: () => undefined, postStop: (c) => void postStops.push(c.path) })),
      receive: () => stuck.promise,
      postStop: (ctx) => void postStops.push(ctx.path),
    }));
    await flush();
    const inFlight = blocked.ask("hangs");
    const queued = blocked.ask("never handled");
    await flush();
    let done = false;
    const down = system.shutdown({ drain: true, timeoutMs: 1000 }).then(() => (done = true));
    await flush();
    assert.equal(done, false, "waits for the stuck handler until the deadline");
    assert.deepEqual(postStops, [], "the newest top-level actor drains first and is stuck; the rest wait their turn");
    clock.advance(1000);
    await down;
    await assert.rejects(inFlight, ActorStopped);
    await assert.rejects(queued, ActorStopped);
    assert.equal(system.actorCount(), 0);
    assert.deepEqual(postStops, [], "the deadline bounds the whole shutdown: every actor not yet stopped is aborted, without postStop");
    assert.equal(healthy.isAlive, false);
    assert.ok(ofType(events, "log").some((e) => e.level === "warn" && /deadline/.test(e.message)));

    // The abandoned handler settling later changes nothing.
    const before = events.length;
    stuck.reject(new Error("late failure"));
    await flush();
    assert.equal(events.length, before);
    assert.equal(clock.pendingTimers, 0);
  });

  it("system.stop with timeoutMs aborts one top-level actor and frees its name", async () => {
    const clock = new ManualClock();
    await using system = new ActorSystem({ name: "t", clock });
    const stuck = deferred();
    const ref = system.spawn<string>("entity", () => ({ receive: () => stuck.promise }));
    void ref.tell("hang");
    await flush();
    const stopped = system.stop("entity", { drain: true, timeoutMs: 50 });
    clock.advance(49);
    await flush();
    assert.equal(system.actorCount(), 1);
    clock.advance(1);
    await stopped;
    assert.equal(system.actorCount(), 0);
    const again = system.spawn<string, string>("entity", () => ({ receive: (m) => m }));
    assert.equal(await again.ask("back"), "back");
    stuck.resolve();
  });

  it("a graceful stop that makes its deadline cancels the deadline timer", async () => {
    const clock = new ManualClock();
    await using system = new ActorSystem({ name: "t", clock });
    system.spawn<string>("quick", () => ({ receive: () => undefined }));
    await system.stop("quick", { timeoutMs: 10_000 });
    assert.equal(clock.pendingTimers, 0);
  });
});
