import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorSystem, ManualClock, type ActorContext } from "../../src/runtime/actor/index.js";
import { flush, ofType, recordEvents, until } from "./util.js";

type Msg = { type: "tick"; key: string } | { type: "start-single"; key: string; ms: number } | { type: "start-periodic"; key: string; ms: number } | { type: "cancel"; key: string } | { type: "boom" };

/** An actor that drives its timers from messages and records the ticks it gets. */
function timerActor(ticks: string[], seenCtx?: (ctx: ActorContext<Msg>) => void) {
  return () => ({
    receive(m: Msg, ctx: ActorContext<Msg>) {
      seenCtx?.(ctx);
      switch (m.type) {
        case "tick":
          ticks.push(m.key);
          return;
        case "start-single":
          ctx.timers.startSingle(m.key, { type: "tick", key: m.key }, m.ms);
          return;
        case "start-periodic":
          ctx.timers.startPeriodic(m.key, { type: "tick", key: m.key }, m.ms);
          return;
        case "cancel":
          ctx.timers.cancel(m.key);
          return;
        case "boom":
          throw new Error("boom");
      }
    },
  });
}

/** A system on a manual clock with one timerActor, "a", spawned; `await using` shuts the system down. */
function timerSystem(seenCtx?: (ctx: ActorContext<Msg>) => void) {
  const clock = new ManualClock();
  const system = new ActorSystem({ name: "t", clock });
  const ticks: string[] = [];
  const ref = system.spawn("a", timerActor(ticks, seenCtx));
  return { clock, system, ticks, ref, [Symbol.asyncDispose]: () => system[Symbol.asyncDispose]() };
}

describe("timers", () => {
  it("a single timer fires once when the clock reaches it", async () => {
    let ctx: ActorContext<Msg> | undefined;
    await using timers = timerSystem((c) => (ctx = c));
    const { clock, ticks, ref } = timers;
    await ref.ask({ type: "start-single", key: "once", ms: 100 });
    assert.equal(ctx!.timers.isActive("once"), true);
    clock.advance(99);
    await flush();
    assert.deepEqual(ticks, []);
    clock.advance(1);
    await until(() => ticks.length === 1);
    assert.equal(ctx!.timers.isActive("once"), false);
    clock.advance(1000);
    await flush();
    assert.deepEqual(ticks, ["once"]);
  });

  it("a periodic timer fires every interval until cancelled; restarting a key replaces it", async () => {
    await using timers = timerSystem();
    const { clock, ticks, ref } = timers;
    await ref.ask({ type: "start-periodic", key: "p", ms: 10 });
    clock.advance(35);
    await until(() => ticks.length === 3);
    await ref.ask({ type: "start-periodic", key: "p", ms: 100 }); // replaces the 10 ms one
    clock.advance(99);
    await flush();
    assert.equal(ticks.length, 3);
    clock.advance(1);
    await until(() => ticks.length === 4);
    await ref.ask({ type: "cancel", key: "p" });
    clock.advance(1000);
    await flush();
    assert.equal(ticks.length, 4);
    assert.equal(clock.pendingTimers, 0);
  });

  it("timers are cancelled when the actor stops", async () => {
    await using timers = timerSystem();
    const { clock, system, ticks, ref } = timers;
    await ref.ask({ type: "start-periodic", key: "p", ms: 10 });
    await ref.ask({ type: "start-single", key: "s", ms: 50 });
    assert.equal(clock.pendingTimers, 2);
    await system.stop("a");
    assert.equal(clock.pendingTimers, 0);
    clock.advance(1000);
    await flush();
    assert.deepEqual(ticks, []);
  });

  it("timers are cancelled when the actor restarts", async () => {
    const clock = new ManualClock();
    await using system = new ActorSystem({ name: "t", clock, random: () => 0 });
    const ticks: string[] = [];
    const events = recordEvents(system.events);
    const ref = system.spawn("a", timerActor(ticks));
    await ref.ask({ type: "start-periodic", key: "p", ms: 10 });
    await assert.rejects(ref.ask({ type: "boom" }), /boom/);
    assert.equal(ofType(events, "supervisor-decision")[0]?.directive, "restart");
    clock.advance(100); // the restart delay passes; the old periodic timer would have fired 10 times
    await until(() => system.stats()[0]?.state === "running");
    clock.advance(1000);
    await flush();
    assert.deepEqual(ticks, []);
  });

  it("a timer tick that finds the mailbox full is dropped with a warning", async () => {
    const clock = new ManualClock();
    await using system = new ActorSystem({ name: "t", clock });
    const events = recordEvents(system.events);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ticks: string[] = [];
    const ref = system.spawn<Msg>("a", () => ({
      async receive(m, ctx) {
        if (m.type === "start-periodic") {
          ctx.timers.startPeriodic(m.key, { type: "tick", key: m.key }, m.ms);
          await gate;
        } else if (m.type === "tick") ticks.push(m.key);
      },
    }), { mailboxCapacity: 2 });
    void ref.tell({ type: "start-periodic", key: "p", ms: 10 });
    await until(() => ref.mailboxDepth === 0 && clock.pendingTimers === 1);
    clock.advance(50); // 5 ticks, room for 2
    assert.equal(ref.mailboxDepth, 2);
    const warnings = ofType(events, "log").filter((e) => e.level === "warn");
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!.message, /timer "p" dropped/);
    release();
    await until(() => ticks.length === 2);
  });
});
