import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ActorSystem,
  ManualClock,
  RestartBudgetExhausted,
  alwaysEscalate,
  alwaysResume,
  alwaysStop,
  oneForOne,
  type Actor,
  type ActorContext,
  type SupervisorStrategy,
} from "../../src/runtime/actor/index.js";
import { deferred, flush, ofType, recordEvents, until } from "./util.js";

type Msg = { type: "add"; n: number } | { type: "get" } | { type: "fail"; async?: boolean };

/** A counter whose state must survive a resume and be lost on a restart. */
function counter(log: { instances: number }): () => Actor<Msg, number> {
  return () => {
    log.instances++;
    let total = 0;
    return {
      async receive(m) {
        switch (m.type) {
          case "add":
            total += m.n;
            return total;
          case "get":
            return total;
          case "fail":
            if (m.async) await Promise.resolve();
            throw new Error("counter failed");
        }
      },
    };
  };
}

function systemWith(supervisor: SupervisorStrategy, clock = new ManualClock()) {
  return { clock, system: new ActorSystem({ name: "t", clock, supervisor, random: () => 0 }) };
}

const fixed = (opts: { maxRestarts?: number; withinMs?: number; initialMs?: number } = {}) =>
  oneForOne({ maxRestarts: opts.maxRestarts ?? 10, withinMs: opts.withinMs ?? 60_000, backoff: { initialMs: opts.initialMs ?? 100, maxMs: 10_000, factor: 2, jitter: 0 } });

describe("directives", () => {
  it("resume keeps the instance and its state, and goes on with the next message", async () => {
    const { system } = systemWith(alwaysResume);
    await using _ = system;
    const log = { instances: 0 };
    const events = recordEvents(system.events);
    const ref = system.spawn("c", counter(log));
    await ref.tell({ type: "add", n: 5 });
    await assert.rejects(ref.ask({ type: "fail", async: true }), /counter failed/);
    assert.equal(await ref.ask({ type: "add", n: 1 }), 6);
    assert.equal(log.instances, 1);
    const decision = ofType(events, "supervisor-decision")[0];
    assert.deepEqual({ ...decision, at: 0 }, { type: "supervisor-decision", path: "/user", child: "/user/c", at: 0, directive: "resume", error: "Error: counter failed" });
    assert.equal(ofType(events, "actor-failed")[0]?.path, "/user/c");
  });

  it("restart makes a fresh instance after the backoff, keeps queued messages and drops the failing one", async () => {
    const { system, clock } = systemWith(fixed());
    await using _ = system;
    const log = { instances: 0 };
    const ref = system.spawn("c", counter(log));
    await ref.tell({ type: "add", n: 5 });
    const failed = ref.ask({ type: "fail" });
    const queued = [ref.ask({ type: "add", n: 1 }), ref.ask({ type: "add", n: 2 })];
    await assert.rejects(failed, /counter failed/);
    assert.equal(ref.mailboxDepth, 2, "queued messages wait for the new instance");
    assert.equal(system.stats()[0]?.state, "restarting");
    clock.advance(100);
    assert.deepEqual(await Promise.all(queued), [1, 3], "state was reset, queued messages kept in order");
    assert.equal(log.instances, 2);
    assert.equal(system.stats()[0]?.restarts, 1);
  });

  it("stop stops the child and rejects its queued asks", async () => {
    const { system } = systemWith(alwaysStop);
    await using _ = system;
    const events = recordEvents(system.events);
    const ref = system.spawn("c", counter({ instances: 0 }));
    const failed = ref.ask({ type: "fail", async: true });
    const queued = ref.ask({ type: "get" });
    await assert.rejects(failed, /counter failed/);
    await assert.rejects(queued, { name: "ActorStopped" });
    await until(() => system.actorCount() === 0);
    assert.equal(ref.isAlive, false);
    assert.deepEqual(ofType(events, "supervisor-decision").map((e) => e.directive), ["stop"]);
    assert.equal(ofType(events, "actor-stopped")[0]?.path, "/user/c");
  });

  it("escalate makes the parent fail; the grandparent's strategy decides about the parent", async () => {
    const { system, clock } = systemWith(fixed({ initialMs: 50 }));
    await using _ = system;
    const events = recordEvents(system.events);
    const parentStarts: number[] = [];
    const parent = system.spawn<{ type: "child" }, unknown>("parent", () => ({
      preStart(ctx) {
        parentStarts.push(clock.now());
        ctx.spawn("child", counter({ instances: 0 }));
      },
      receive: (_m, ctx) => ctx.child("child"),
    }), { supervisor: alwaysEscalate });
    await until(() => system.actorCount() === 2);
    const child = system.stats().find((s) => s.path === "/user/parent/child");
    assert.ok(child);
    const childRef = (await parent.ask({ type: "child" })) as ReturnType<typeof system.spawn<Msg, number>>;
    await childRef.tell({ type: "add", n: 7 });
    await assert.rejects(childRef.ask({ type: "fail" }), /counter failed/);
    const decisions = ofType(events, "supervisor-decision");
    assert.deepEqual(decisions.map((d) => [d.path, d.child, d.directive]), [
      ["/user/parent", "/user/parent/child", "escalate"],
      ["/user", "/user/parent", "restart"],
    ]);
    assert.deepEqual(ofType(events, "actor-failed").map((e) => e.path), ["/user/parent/child", "/user/parent"]);
    // Restarting the parent stops the old child; the new parent instance spawns a fresh one.
    await until(() => !childRef.isAlive, "old child stopped");
    clock.advance(50);
    await until(() => parentStarts.length === 2 && system.actorCount() === 2, "parent restarted");
    const newChild = (await parent.ask({ type: "child" })) as typeof childRef;
    assert.notEqual(newChild, childRef);
    assert.equal(await newChild.ask({ type: "get" }), 0);
  });

  it("a resumed parent resumes the child that escalated to it", async () => {
    const { system } = systemWith(alwaysResume);
    await using _ = system;
    const parent = system.spawn<string, unknown>("parent", () => ({
      preStart: (ctx) => void ctx.spawn("child", counter({ instances: 0 })),
      receive: (_m, ctx) => ctx.child("child"),
    }), { supervisor: alwaysEscalate });
    await until(() => system.actorCount() === 2);
    const childRef = (await parent.ask("child")) as ReturnType<typeof system.spawn<Msg, number>>;
    await childRef.tell({ type: "add", n: 3 });
    await assert.rejects(childRef.ask({ type: "fail" }), /counter failed/);
    assert.equal(await childRef.ask({ type: "add", n: 1 }), 4, "child kept its state");
  });

  it("a child whose factory threw and escalated starts again when its parent is resumed", async () => {
    const { system } = systemWith(alwaysResume);
    await using _ = system;
    let calls = 0;
    const parent = system.spawn<string, unknown>("parent", () => ({
      preStart: (ctx) =>
        void ctx.spawn<string, string>("child", () => {
          if (++calls === 1) throw new Error("factory failed");
          return { receive: (m) => `child got ${m}` };
        }),
      receive: (_m, ctx) => ctx.child("child"),
    }), { supervisor: alwaysEscalate });
    await until(() => calls === 2, "second factory call");
    const child = (await parent.ask("child")) as ReturnType<typeof system.spawn<string, string>>;
    assert.equal(await child.ask("hi"), "child got hi");
  });

  it("escalation at the root stops the top-level actor and says so", async () => {
    const { system } = systemWith(alwaysEscalate);
    await using _ = system;
    const events = recordEvents(system.events);
    const ref = system.spawn("c", counter({ instances: 0 }));
    await assert.rejects(ref.ask({ type: "fail" }), /counter failed/);
    await until(() => system.actorCount() === 0);
    const log = ofType(events, "log").find((e) => e.level === "error");
    assert.match(log?.message ?? "", /escalated to the root guardian/);
    assert.deepEqual(ofType(events, "actor-stopped").map((e) => e.path), ["/user/c"]);
  });

  it("a throwing decide escalates", async () => {
    const { system } = systemWith(oneForOne({ decide: () => { throw new Error("bad decider"); } }));
    await using _ = system;
    const ref = system.spawn("c", counter({ instances: 0 }));
    await assert.rejects(ref.ask({ type: "fail" }), /counter failed/);
    await until(() => system.actorCount() === 0);
  });
});

describe("restart budget and backoff", () => {
  it("more than maxRestarts within the window stops the child and escalates", async () => {
    const { system, clock } = systemWith(fixed({ initialMs: 10 }));
    await using _ = system;
    const events = recordEvents(system.events);
    const parent = system.spawn<string, unknown>("parent", () => ({
      preStart: (ctx) => void ctx.spawn("child", counter({ instances: 0 })),
      receive: (_m, ctx) => ctx.child("child"),
    }), { supervisor: fixed({ maxRestarts: 2, initialMs: 10 }) });
    await until(() => system.actorCount() === 2);
    const childRef = (await parent.ask("child")) as ReturnType<typeof system.spawn<Msg, number>>;
    for (const delay of [10, 20]) {
      await assert.rejects(childRef.ask({ type: "fail" }), /counter failed/);
      clock.advance(delay);
      await until(() => system.stats().find((s) => s.path === "/user/parent/child")?.state === "running");
    }
    await assert.rejects(childRef.ask({ type: "fail" }), /counter failed/);
    await until(() => !childRef.isAlive);
    const exhausted = ofType(events, "restart-budget-exhausted");
    assert.deepEqual(exhausted.map((e) => ({ ...e, at: 0 })), [{ type: "restart-budget-exhausted", path: "/user/parent", child: "/user/parent/child", at: 0, restarts: 2, withinMs: 60_000 }]);
    const rootDecision = ofType(events, "supervisor-decision").find((d) => d.path === "/user");
    assert.equal(rootDecision?.directive, "restart");
    assert.match(rootDecision?.error ?? "", /RestartBudgetExhausted/);
    assert.equal(ofType(events, "actor-failed").at(-1)?.path, "/user/parent");
  });

  it("the escalated error is a RestartBudgetExhausted carrying the last failure", async () => {
    const seen: unknown[] = [];
    const { system } = systemWith(oneForOne({ decide: (e) => (seen.push(e), "stop") }));
    await using _ = system;
    system.spawn<string>("parent", () => ({
      preStart: (ctx) => void ctx.spawn<Msg, number>("child", counter({ instances: 0 })).tell({ type: "fail" }),
      receive: () => undefined,
    }), { supervisor: fixed({ maxRestarts: 0 }) });
    await until(() => seen.length === 1);
    assert.ok(seen[0] instanceof RestartBudgetExhausted);
    assert.equal((seen[0] as RestartBudgetExhausted).child, "/user/parent/child");
    assert.match(String(((seen[0] as Error).cause as Error).message), /counter failed/);
  });

  it("backoff delays grow per consecutive restart on the clock and reset after a quiet window", async () => {
    const clock = new ManualClock();
    const system = new ActorSystem({
      name: "t",
      clock,
      random: () => 0,
      supervisor: oneForOne({ maxRestarts: 10, withinMs: 1000, backoff: { initialMs: 100, maxMs: 300, factor: 2, jitter: 0.5 } }),
    });
    await using _ = system;
    const events = recordEvents(system.events);
    const log = { instances: 0 };
    const ref = system.spawn("c", counter(log));
    await until(() => log.instances === 1);

    /** Fails once and returns how long the clock had to move before the new instance existed. */
    async function failAndMeasure(): Promise<number> {
      const before = log.instances;
      await assert.rejects(ref.ask({ type: "fail" }), /counter failed/);
      let waited = 0;
      for (;;) {
        await flush();
        if (log.instances > before) return waited;
        clock.advance(1);
        waited++;
        assert.ok(waited < 10_000, "restart never happened");
      }
    }
    assert.deepEqual([await failAndMeasure(), await failAndMeasure(), await failAndMeasure(), await failAndMeasure()], [100, 200, 300, 300]);
    clock.advance(1001);
    assert.equal(await failAndMeasure(), 100, "a quiet window resets the backoff");
    assert.deepEqual(ofType(events, "supervisor-decision").map((d) => d.restartInMs), [100, 200, 300, 300, 100]);
  });

  it("jitter comes from the injected random source", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock(), random: () => 0.5 });
    const events = recordEvents(system.events);
    const ref = system.spawn("c", counter({ instances: 0 }));
    await assert.rejects(ref.ask({ type: "fail" }), /counter failed/);
    assert.equal(ofType(events, "supervisor-decision")[0]?.restartInMs, 90); // default 100 ms, jitter 0.2 × 0.5
  });
});

describe("contained failures", () => {
  it("a throw in preStart (sync or async) is a supervised failure, not a crash", async () => {
    const { system, clock } = systemWith(fixed({ initialMs: 10 }));
    await using _ = system;
    const events = recordEvents(system.events);
    let attempts = 0;
    const ref = system.spawn<string, string>("flaky", () => ({
      async preStart() {
        attempts++;
        if (attempts === 1) throw new Error("sync-ish start failure");
        if (attempts === 2) return Promise.reject(new Error("async start failure"));
      },
      receive: (m) => `got ${m}`,
    }));
    const answer = ref.ask("hello");
    await until(() => attempts === 1 && ofType(events, "supervisor-decision").length === 1);
    clock.advance(10);
    await until(() => attempts === 2 && ofType(events, "supervisor-decision").length === 2);
    clock.advance(20);
    assert.equal(await answer, "got hello", "the message queued during failed starts is handled");
    assert.deepEqual(ofType(events, "actor-failed").map((e) => e.error), ["Error: sync-ish start failure", "Error: async start failure"]);
  });

  it("a throwing factory is restarted (not resumed) and then works", async () => {
    const { system, clock } = systemWith(alwaysResume);
    await using _ = system;
    const events = recordEvents(system.events);
    let calls = 0;
    const ref = system.spawn<string, string>("f", () => {
      if (++calls === 1) throw new Error("factory failed");
      return { receive: (m) => m };
    });
    const answer = ref.ask("x");
    await until(() => ofType(events, "supervisor-decision").length === 1);
    assert.equal(ofType(events, "supervisor-decision")[0]?.directive, "restart");
    clock.advance(100);
    assert.equal(await answer, "x");
  });

  it("a throw in postStop or preRestart is reported and contained", async () => {
    const { system, clock } = systemWith(fixed({ initialMs: 5 }));
    const events = recordEvents(system.events);
    const ref = system.spawn<string>("hooks", () => ({
      preRestart() {
        throw new Error("preRestart broke");
      },
      async postStop() {
        throw new Error("postStop broke");
      },
      receive(m) {
        if (m === "fail") throw new Error("receive broke");
      },
    }));
    await assert.rejects(ref.ask("fail"), /receive broke/);
    clock.advance(5);
    await until(() => system.stats()[0]?.state === "running");
    await system.shutdown();
    assert.deepEqual(ofType(events, "actor-failed").map((e) => e.error), ["Error: receive broke", "preRestart: Error: preRestart broke", "postStop: Error: postStop broke"]);
    assert.equal(system.actorCount(), 0);
    assert.equal(system.state, "stopped");
  });

  it("a failure while draining for shutdown is reported but does not stop the drain", async () => {
    const { system } = systemWith(fixed());
    const events = recordEvents(system.events);
    const handled: string[] = [];
    const gate = deferred();
    const ref = system.spawn<string>("d", () => ({
      async receive(m) {
        if (m === "first") await gate.promise;
        if (m === "fail") throw new Error("failed while draining");
        handled.push(m);
      },
    }));
    const sends = ["first", "fail", "last"].map((m) => ref.tell(m));
    await Promise.all(sends);
    await flush();
    const down = system.shutdown({ drain: true });
    gate.resolve();
    await down;
    assert.deepEqual(handled, ["first", "last"]);
    assert.equal(ofType(events, "supervisor-decision").length, 0);
    assert.equal(ofType(events, "actor-failed")[0]?.error, "receive: Error: failed while draining");
  });
});
