import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorNameTaken, ActorStopped, ActorSystem, InvalidActorName, InvalidActorOption, ManualClock, type Actor } from "../../src/runtime/actor/index.js";
import { deferred, flush, ofType, recordEvents, until } from "./util.js";

/** An actor that records its stop into `stops` and spawns the named children in order. */
function tree(stops: string[], children: Record<string, Record<string, unknown>> = {}): () => Actor<string> {
  return () => ({
    preStart(ctx) {
      for (const [name, grandChildren] of Object.entries(children)) ctx.spawn(name, tree(stops, grandChildren as Record<string, Record<string, unknown>>));
    },
    receive: () => undefined,
    postStop(ctx) {
      stops.push(ctx.path);
    },
  });
}

describe("ActorSystem", () => {
  it("validates its options with messages naming the option", () => {
    assert.throws(() => new ActorSystem({ name: "" }), (e: unknown) => e instanceof InvalidActorOption && e.option === "name");
    assert.throws(() => new ActorSystem({ name: "x", defaultMailboxCapacity: 0 }), /defaultMailboxCapacity/);
    assert.throws(() => new ActorSystem({ name: "x", defaultAskTimeoutMs: -1 }), /defaultAskTimeoutMs/);
  });

  it("names actors by path and refuses duplicates and bad names", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock() });
    const a = system.spawn("a", tree([], { b: {} }));
    assert.equal(a.path, "/user/a");
    assert.throws(() => system.spawn("a", tree([])), ActorNameTaken);
    assert.throws(() => system.spawn("x/y", tree([])), InvalidActorName);
    assert.throws(() => system.spawn("m", tree([]), { mailboxCapacity: 0 }), /mailboxCapacity/);
    await until(() => system.actorCount() === 2);
    assert.deepEqual(system.stats().map((s) => s.path), ["/user/a", "/user/a/b"]);
    assert.equal(system.child("a"), a);
  });

  it("reports stats for every live actor", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock() });
    const gate = deferred();
    const ref = system.spawn<number>("s", () => ({ receive: () => gate.promise }), { mailboxCapacity: 10 });
    for (let i = 0; i < 4; i++) await ref.tell(i);
    await flush();
    assert.deepEqual(system.stats(), [{ path: "/user/s", mailboxDepth: 3, restarts: 0, processed: 0, state: "running" }]);
    gate.resolve();
    await until(() => system.stats()[0]?.processed === 4);
    assert.equal(system.stats()[0]?.mailboxDepth, 0);
  });

  it("shutdown drains mailboxes, stops children first, newest first, and cancels timers", async () => {
    const clock = new ManualClock();
    const system = new ActorSystem({ name: "t", clock });
    const stops: string[] = [];
    system.spawn("first", tree(stops, { a: { a1: {}, a2: {} }, b: {} }));
    const handled: number[] = [];
    const gate = deferred();
    const worker = system.spawn<number, number>("second", () => ({
      preStart: (ctx) => ctx.timers.startPeriodic("p", -1, 10),
      async receive(m) {
        await gate.promise;
        handled.push(m);
        return m * 10;
      },
      postStop: (ctx) => void stops.push(ctx.path),
    }));
    await until(() => system.actorCount() === 6);
    const answers = [1, 2, 3].map((m) => worker.ask(m));
    await flush();
    const down = system.shutdown({ drain: true });
    assert.equal(system.state, "stopping");
    assert.throws(() => system.spawn("late", tree([])), ActorStopped);
    await assert.rejects(worker.tell(4), ActorStopped, "no new messages once stopping");
    gate.resolve();
    await down;
    assert.deepEqual(await Promise.all(answers), [10, 20, 30], "queued asks were answered");
    assert.deepEqual(handled, [1, 2, 3]);
    assert.deepEqual(stops, ["/user/second", "/user/first/b", "/user/first/a/a2", "/user/first/a/a1", "/user/first/a", "/user/first"]);
    assert.equal(system.actorCount(), 0);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(system.state, "stopped");
  });

  it("shutdown without drain rejects queued asks with ActorStopped", async () => {
    const system = new ActorSystem({ name: "t", clock: new ManualClock() });
    const gate = deferred();
    const ref = system.spawn<number, number>("w", () => ({ receive: async (m) => (await gate.promise, m) }));
    const inFlight = ref.ask(1);
    const queued = ref.ask(2);
    await flush();
    const down = system.shutdown({ drain: false });
    await assert.rejects(queued, ActorStopped);
    gate.resolve();
    assert.equal(await inFlight, 1, "the message in flight completes");
    await down;
  });

  it("stopChild with drain handles what was queued, including blocked senders", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock() });
    const handled: number[] = [];
    const gate = deferred();
    const region = system.spawn<"entity" | "stop", unknown>("region", () => ({
      preStart: (ctx) => void ctx.spawn<number>("entity", () => ({ receive: async (m) => (await gate.promise, void handled.push(m)) }), { mailboxCapacity: 2 }),
      receive: (m, ctx) => (m === "entity" ? ctx.child("entity") : ctx.stopChild("entity", { drain: true })),
    }));
    await until(() => system.actorCount() === 2);
    const entity = (await region.ask("entity")) as ReturnType<typeof system.spawn<number>>;
    const sends = [1, 2, 3, 4].map((m) => entity.tell(m)); // 1 in flight, 2-3 queued, 4 blocked
    await flush();
    assert.equal(entity.mailboxDepth, 2);
    const stopped = region.ask("stop");
    await flush();
    assert.equal(entity.isAlive, false);
    assert.equal(entity.tryTell(5), false);
    gate.resolve();
    await stopped;
    await Promise.all(sends);
    assert.deepEqual(handled, [1, 2, 3, 4]);
    assert.equal(system.actorCount(), 1);
    // The name is free again once stopped: a handed-over entity can come back.
    assert.equal(await region.ask("entity"), undefined);
  });

  it("keeps a bounded ring of recent events and contains throwing listeners", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock(), eventBufferSize: 3 });
    const seen = recordEvents(system.events);
    const off = system.events.on(() => {
      throw new Error("listener broke");
    });
    const ref = system.spawn<string>("e", () => ({ receive: (m, ctx) => ctx.emit({ type: "custom", path: ctx.path, at: ctx.clock.now(), name: m, data: null }) }));
    for (const m of ["a", "b", "c", "d"]) await ref.tell(m);
    await until(() => seen.length === 5);
    assert.deepEqual(ofType(seen, "custom").map((e) => e.name), ["a", "b", "c", "d"]);
    assert.deepEqual(system.recentEvents().map((e) => (e.type === "custom" ? e.name : e.type)), ["b", "c", "d"]);
    assert.deepEqual(system.recentEvents(1).map((e) => (e.type === "custom" ? e.name : e.type)), ["d"]);
    assert.equal(system.events.listenerErrors, 5);
    off();
    await ref.tell("e");
    await until(() => seen.length === 6);
    assert.equal(system.events.listenerErrors, 5, "unsubscribed listener is not called");
  });

  it("emits lifecycle events for start and stop", async () => {
    const system = new ActorSystem({ name: "t", clock: new ManualClock() });
    const seen = recordEvents(system.events);
    system.spawn("p", tree([], { c: {} }));
    await until(() => system.actorCount() === 2 && seen.length === 2);
    await system.shutdown();
    assert.deepEqual(seen.filter((e) => e.type !== "log").map((e) => `${e.type} ${"path" in e ? e.path : ""}`), [
      "actor-started /user/p",
      "actor-started /user/p/c",
      "actor-stopped /user/p/c",
      "actor-stopped /user/p",
    ]);
  });
});
