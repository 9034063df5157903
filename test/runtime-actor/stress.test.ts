/**
 * Randomised lifecycle stress (seeded, ManualClock): failures of every kind, stops, spawns and
 * clock jumps interleaved with tell/ask under small mailboxes. Whatever happens, every send must
 * settle, shutdown must finish, and nothing may be left behind (actors, timers, unhandled rejections).
 */
import { seededRandom } from "../../src/runtime/random.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActorSystem, ManualClock, alwaysEscalate, alwaysResume, alwaysStop, oneForOne, type Actor, type ActorRef, type SupervisorStrategy } from "../../src/runtime/actor/index.js";
import { setImmediate as nextTurn } from "node:timers/promises";
import { deferred, flush } from "./util.js";

type Op = "hang" | "ok" | "throw" | "async-throw" | "async-ok" | "io" | "spawn" | "stop-child" | "timer";

const mulberry32 = seededRandom;

const strategies: SupervisorStrategy[] = [
  oneForOne({ maxRestarts: 3, withinMs: 500, backoff: { initialMs: 5, maxMs: 80, factor: 2, jitter: 0.5 } }),
  alwaysResume,
  alwaysStop,
  alwaysEscalate,
];

/** Event counts over all seeds: together they must exercise every directive. */
const covered: Record<string, number> = {};

function runScenario(seed: number) {
  return async () => {
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const clock = new ManualClock();
    const system = new ActorSystem({ name: `stress-${seed}`, clock, random, defaultMailboxCapacity: 4, supervisor: pick(strategies) });
    const refs: ActorRef<Op, string>[] = [];
    const eventCounts: Record<string, number> = {};
    system.events.on((e) => {
      const key = e.type === "supervisor-decision" ? `decision:${e.directive}` : e.type;
      eventCounts[key] = (eventCounts[key] ?? 0) + 1;
    });
    let spawned = 0;

    const behaviour = (): Actor<Op, string> => {
      if (random() < 0.03) throw new Error("factory failed");
      let count = 0;
      return {
        preStart(ctx) {
          if (random() < 0.05) throw new Error("preStart failed");
          ctx.timers.startPeriodic("tick", "ok", 10 + Math.floor(random() * 50));
        },
        async receive(op, ctx) {
          count++;
          switch (op) {
            case "ok":
              return `ok ${count}`;
            case "async-ok":
              await Promise.resolve();
              return `async ${count}`;
            case "hang":
              await hung.promise; // released only after shutdown: the deadline must abort it
              return "released";
            case "io":
              await nextTurn(); // a real event-loop turn, like a socket write
              return `io ${count}`;
            case "throw":
              throw new Error("sync failure");
            case "async-throw":
              await Promise.resolve();
              throw new Error("async failure");
            case "spawn": {
              const name = `c${spawned++}`;
              refs.push(ctx.spawn(name, behaviour, { supervisor: pick(strategies), mailboxCapacity: 1 + Math.floor(random() * 4) }));
              return name;
            }
            case "stop-child": {
              const kids = ctx.children();
              if (kids.length > 0) await ctx.stopChild(pick(kids).path.split("/").pop()!, { drain: random() < 0.5 });
              return "stopped";
            }
            case "timer":
              ctx.timers.startSingle("once", "ok", Math.floor(random() * 30));
              return "timer";
          }
        },
        postStop() {
          if (random() < 0.05) throw new Error("postStop failed");
        },
      };
    };

    const hung = deferred();
    const settled = { asks: 0, tells: 0 };
    const sent = { asks: 0, tells: 0 };
    for (let step = 0; step < 1500; step++) {
      const r = random();
      if (r < 0.05) {
        const name = `top${Math.floor(random() * 4)}`;
        if (system.child(name) === undefined) refs.push(system.spawn(name, behaviour, { supervisor: pick(strategies) }));
        continue;
      }
      if (r < 0.12) {
        clock.advance(Math.floor(random() * 120));
        continue;
      }
      if (r < 0.2) {
        await flush(1);
        continue;
      }
      if (refs.length === 0) continue;
      const ref = pick(refs);
      const op = pick<Op>(["ok", "ok", "ok", "ok", "ok", "ok", "hang", "async-ok", "io", "throw", "async-throw", "spawn", "spawn", "stop-child", "timer"]);
      if (r < 0.5) {
        sent.asks++;
        ref.ask(op, { timeoutMs: 1 + Math.floor(random() * 200) }).then(() => settled.asks++, () => settled.asks++);
      } else if (r < 0.85) {
        sent.tells++;
        ref.tell(op).then(() => settled.tells++, () => settled.tells++);
      } else {
        ref.tryTell(op);
      }
    }
    for (let i = 0; i < 50; i++) {
      clock.advance(100);
      await flush(2);
    }
    let down = false;
    const shutdown = system.shutdown({ drain: random() < 0.5, timeoutMs: 1 + Math.floor(random() * 300) }).then(() => (down = true));
    for (let i = 0; i < 100 && !down; i++) {
      await flush(2);
      clock.advance(10);
    }
    await shutdown;
    hung.resolve();
    await flush();
    if (process.env.STRESS_VERBOSE) console.log(seed, JSON.stringify(sent), spawned, JSON.stringify(eventCounts));
    assert.equal(system.actorCount(), 0, "no actor left");
    assert.equal(clock.pendingTimers, 0, "no timer left (actor timers, ask timeouts, restart delays)");
    assert.deepEqual(settled, sent, "every tell and ask settled");
    assert.ok((eventCounts["actor-failed"] ?? 0) > 0, "the scenario exercised failures");
    for (const [kind, n] of Object.entries(eventCounts)) covered[kind] = (covered[kind] ?? 0) + n;
  };
}

describe("randomised lifecycle stress", () => {
  const seeds = process.env.STRESS_SEEDS ? Array.from({ length: Number(process.env.STRESS_SEEDS) }, (_, i) => i + 1) : [1, 2, 3, 4, 5, 6, 7, 8];
  for (const seed of seeds) it(`seed ${seed}`, runScenario(seed));
  it("the seeds together exercised every directive and the restart budget", () => {
    for (const kind of ["decision:restart", "decision:resume", "decision:stop", "decision:escalate", "restart-budget-exhausted"]) {
      assert.ok((covered[kind] ?? 0) > 0, `no ${kind} in ${JSON.stringify(covered)}`);
    }
  });
});
