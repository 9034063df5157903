import { test } from "node:test";
import assert from "node:assert/strict";
import { RestGate, type RestPriority } from "../../src/ingest/rest-gate.js";
import { SlidingWindowLimiter } from "../../src/ingest/rate-limiter.js";
import { ManualClock } from "../../src/runtime/clock.js";
import { seededRandom } from "../../src/runtime/random.js";

/** A limiter that records when (in steps) each turn was given. */
class SpyLimiter extends SlidingWindowLimiter {
  readonly taken: { step: number; at: number }[] = [];
  step = 0;
  override tryTake(now: number): boolean {
    const ok = super.tryTake(now);
    if (ok) this.taken.push({ step: this.step, at: now });
    return ok;
  }
}

interface Asked {
  id: number;
  priority: RestPriority;
  step: number;
  abort: AbortController;
  abortedAt: number | null;
  outcome: "waiting" | "granted" | "rejected";
}

const flush = () => new Promise<void>((r) => setImmediate(r));

test("a gap fill waiting behind 2,000 catch-ups gets the next free turn; an aborted catch-up uses none", async () => {
  const clock = new ManualClock(0);
  const gate = new RestGate(new SlidingWindowLimiter(4, 1000), clock);
  const order: string[] = [];
  const catchUps = Array.from({ length: 2000 }, (_, i) => {
    const abort = new AbortController();
    const turn = gate.turn("catch-up", abort.signal).then(() => order.push(`c${i}`), (e: unknown) => order.push(`x${i}:${String(e)}`));
    return { abort, turn };
  });
  await flush();
  assert.deepEqual(order, ["c0", "c1", "c2", "c3"]);
  catchUps[4]!.abort.abort("moot");
  void gate.turn("fill").then(() => order.push("fill"));
  await flush();
  assert.deepEqual(gate.waiting(), { fill: 1, catchUp: 1995 });
  clock.advance(1000);
  await flush();
  assert.deepEqual(order.slice(4), ["x4:moot", "fill", "c5", "c6", "c7"]);
  assert.deepEqual(gate.waiting(), { fill: 0, catchUp: 1992 });
});

test("property: turns keep the window, fills before catch-ups, first come first served, aborted never served, none left waiting (300 seeds)", async () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const clock = new ManualClock(1_000_000);
    const limit = 1 + Math.floor(random() * 4);
    const windowMs = 50 + Math.floor(random() * 500);
    const limiter = new SpyLimiter(limit, windowMs);
    const gate = new RestGate(limiter, clock);
    const asked: Asked[] = [];
    const granted: Asked[] = [];
    const ops = 20 + Math.floor(random() * 80);
    for (let step = 0; step < ops; step++) {
      limiter.step = step;
      const r = random();
      if (r < 0.45) {
        const a: Asked = { id: asked.length, priority: random() < 0.3 ? "fill" : "catch-up", step, abort: new AbortController(), abortedAt: null, outcome: "waiting" };
        asked.push(a);
        gate.turn(a.priority, a.abort.signal).then(
          () => {
            a.outcome = "granted";
            granted.push(a);
          },
          () => (a.outcome = "rejected"),
        );
      } else if (r < 0.6) {
        const waiting = asked.filter((a) => a.outcome === "waiting" && a.abortedAt === null);
        const victim = waiting[Math.floor(random() * waiting.length)];
        if (victim) {
          victim.abortedAt = step;
          victim.abort.abort(new Error("moot"));
        }
      } else clock.advance(Math.floor(random() * windowMs));
      await flush();
      // Never a free turn left unused while someone waits.
      const { fill, catchUp } = gate.waiting();
      if (fill + catchUp > 0) assert.ok(limiter.waitMs(clock.now()) > 0, `seed ${seed} step ${step}: ${fill + catchUp} waiting with a free turn`);
    }
    limiter.step = ops;
    clock.advance(windowMs * (asked.length + 1));
    await flush();
    const label = `seed ${seed} (limit ${limit}/${windowMs} ms)`;
    // Turns given = grants, and never more than `limit` in any window.
    assert.equal(limiter.taken.length, granted.length, label);
    for (let i = limit; i < limiter.taken.length; i++) assert.ok(limiter.taken[i]!.at - limiter.taken[i - limit]!.at >= windowMs, `${label}: ${limit + 1} turns within ${windowMs} ms`);
    for (const a of asked) assert.equal(a.outcome, a.abortedAt === null ? "granted" : "rejected", `${label}: request ${a.id} (${a.priority}) ${a.outcome}`);
    assert.deepEqual(gate.waiting(), { fill: 0, catchUp: 0 }, label);
    assert.equal(clock.pendingTimers, 0, `${label}: a timer left with nobody waiting`);
    granted.forEach((g, k) => {
      const at = limiter.taken[k]!.step;
      // Nobody of higher or equal priority that asked earlier was still waiting, unserved, when g got its turn.
      for (const other of asked) {
        const outranks = other.priority === "fill" && g.priority === "catch-up";
        const earlier = other.priority === g.priority && other.id < g.id;
        if (!outranks && !earlier) continue;
        const waitingThen = other.step <= at && (other.abortedAt === null || other.abortedAt > at) && granted.indexOf(other) > k;
        assert.ok(!waitingThen, `${label}: request ${g.id} (${g.priority}) served at step ${at} before ${other.id} (${other.priority}), waiting since step ${other.step}`);
      }
    });
  }
});
