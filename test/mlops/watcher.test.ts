import { test } from "node:test";
import assert from "node:assert/strict";
import { ActorSystem, ManualClock, type ActorRef } from "../../src/runtime/actor/index.js";
import {
  createWatcherState,
  watcherActor,
  watcherTransition,
  type MlopsEvent,
  type RoundResult,
  type TrainingOutcome,
  type TrainingTrigger,
  type WatcherActorMessage,
  type WatcherReply,
  type WatcherStatus,
} from "../../src/mlops/index.js";
import { waitFor } from "../helpers/wait.js";

const result = (status: RoundResult["status"], champion: string | null = null): RoundResult => ({ status, rows: 0, promoted: null, champion, detail: "", at: 0 });

test("watcher transition: hunt every 10 s until a league is trained, then patrol every 5 min; admin joins a running round", () => {
  const s = createWatcherState();
  assert.deepEqual(watcherTransition(s, { type: "discover", symbols: ["BTCUSDT"] }, 0), [{ type: "start-round", symbol: "BTCUSDT", trigger: "hunt" }]);
  assert.deepEqual(watcherTransition(s, { type: "discover", symbols: ["BTCUSDT"] }, 5), [], "known symbols are not restarted");
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 6), [], "no second round while one runs");
  assert.deepEqual(watcherTransition(s, { type: "train-now", symbol: "BTCUSDT" }, 7), [{ type: "join-round", symbol: "BTCUSDT" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("insufficient-data") }, 100), [{ type: "schedule", symbol: "BTCUSDT", delayMs: 10_000 }]);
  assert.equal(s.symbols.BTCUSDT!.mode, "hunt");
  assert.equal(s.symbols.BTCUSDT!.nextRunAt, 10_100);
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 10_100), [{ type: "start-round", symbol: "BTCUSDT", trigger: "hunt" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("failed") }, 10_200), [{ type: "schedule", symbol: "BTCUSDT", delayMs: 10_000 }], "a failed round keeps hunting");
  watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 20_200);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("trained") }, 20_300), [
    { type: "emit", event: { type: "mode-changed", symbol: "BTCUSDT", from: "hunt", to: "patrol", at: 20_300 } },
    { type: "schedule", symbol: "BTCUSDT", delayMs: 300_000 },
  ]);
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 320_300), [{ type: "start-round", symbol: "BTCUSDT", trigger: "patrol" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "patrol", result: result("insufficient-data", "BTCUSDT/v1") }, 320_400), [{ type: "schedule", symbol: "BTCUSDT", delayMs: 300_000 }], "patrol stays patrol");
  assert.deepEqual(watcherTransition(s, { type: "train-now", symbol: "ETHUSDT" }, 1), [{ type: "start-round", symbol: "ETHUSDT", trigger: "admin" }], "admin may train a symbol never seen");
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "XRPUSDT" }, 1), [], "a stale timer of an unknown symbol does nothing");
  assert.equal(s.symbols.BTCUSDT!.rounds, 4);
  assert.throws(() => createWatcherState({ huntIntervalMs: 0 }), RangeError);
});

test("an existing champion ends the hunt even before enough new rows exist", () => {
  const s = createWatcherState({ huntIntervalMs: 1000, patrolIntervalMs: 5000 });
  watcherTransition(s, { type: "discover", symbols: ["ETHUSDT"] }, 0);
  const effects = watcherTransition(s, { type: "finished", symbol: "ETHUSDT", trigger: "hunt", result: result("insufficient-data", "ETHUSDT/v4") }, 10);
  assert.equal(s.symbols.ETHUSDT!.mode, "patrol");
  assert.deepEqual(effects.at(-1), { type: "schedule", symbol: "ETHUSDT", delayMs: 5000 });
});

/** A trainer stand-in: "enough rows" is whatever the test says; every call is recorded with the clock's time. */
class FakeTrainer {
  rows = 0;
  fail: Error | null = null;
  calls: { symbol: string; trigger: TrainingTrigger; at: number }[] = [];
  constructor(readonly clock: ManualClock) {}
  async train(symbol: string, trigger: TrainingTrigger): Promise<TrainingOutcome> {
    const at = this.clock.now();
    this.calls.push({ symbol, trigger, at });
    if (this.fail) throw this.fail;
    const trained = this.rows >= 20;
    return {
      symbol, trigger, status: trained ? "trained" : "insufficient-data", rows: this.rows, minRows: 20, runs: [], rmseNaive: null,
      champion: trained ? `${symbol}/v${this.calls.length}` : null,
      promotion: trained ? { promoted: true, version: `${symbol}/v${this.calls.length}`, kind: "elasticnet", previous: null, reason: "beats-naive" } : null,
      startedAt: at, finishedAt: at,
    };
  }
}

async function statusOf(ref: ActorRef<WatcherActorMessage, WatcherReply>): Promise<WatcherStatus> {
  return (await ref.ask({ type: "status" })) as WatcherStatus;
}

test("watcher actor on a manual clock: hunt → patrol → admin train, timers on the injected clock", async () => {
  const clock = new ManualClock(0);
  await using system = new ActorSystem({ name: "watcher-test", clock });
  const trainer = new FakeTrainer(clock);
  const events: MlopsEvent[] = [];
  const ref = system.spawn("watcher", watcherActor({ trainer, symbols: () => ["BTCUSDT"], events: (e) => events.push(e) }));
  const rounds = async (n: number) => waitFor(async () => (await statusOf(ref)).symbols.BTCUSDT?.rounds === n, { what: `${n} rounds` });

  await rounds(1);
  assert.deepEqual(trainer.calls, [{ symbol: "BTCUSDT", trigger: "hunt", at: 0 }]);
  let st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.mode, "hunt");
  assert.equal(st.symbols.BTCUSDT!.nextRunAt, 10_000);
  assert.equal(st.symbols.BTCUSDT!.last?.status, "insufficient-data");

  clock.advance(9_999);
  await statusOf(ref);
  assert.equal(trainer.calls.length, 1, "nothing before the 10 s hunt period");
  clock.advance(1);
  await rounds(2);
  assert.deepEqual(trainer.calls[1], { symbol: "BTCUSDT", trigger: "hunt", at: 10_000 });

  trainer.rows = 25;
  clock.advance(10_000);
  await rounds(3);
  st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.mode, "patrol");
  assert.equal(st.symbols.BTCUSDT!.nextRunAt, 320_000);
  assert.equal(st.symbols.BTCUSDT!.last?.promoted, "BTCUSDT/v3");
  assert.ok(events.some((e) => e.type === "mode-changed" && e.to === "patrol"));

  clock.advance(299_999);
  await statusOf(ref);
  assert.equal(trainer.calls.length, 3, "patrol waits 5 minutes");
  clock.advance(1);
  await rounds(4);
  assert.deepEqual(trainer.calls[3], { symbol: "BTCUSDT", trigger: "patrol", at: 320_000 });

  clock.advance(1_000);
  const reply = (await ref.ask({ type: "train-now", symbol: "BTCUSDT" })) as { round: Promise<TrainingOutcome> };
  const outcome = await reply.round;
  assert.equal(outcome.trigger, "admin");
  await rounds(5);
  st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.nextRunAt, 321_000 + 300_000, "the patrol period restarts after an admin round");
  clock.advance(299_999);
  await statusOf(ref);
  assert.equal(trainer.calls.length, 5, "the old patrol timer was replaced");
});

test("a failing round is reported and the symbol keeps hunting; symbols of other ml nodes are not trained", async () => {
  const clock = new ManualClock(0);
  await using system = new ActorSystem({ name: "watcher-test-2", clock });
  const trainer = new FakeTrainer(clock);
  trainer.fail = new Error("database down");
  const events: MlopsEvent[] = [];
  const ref = system.spawn(
    "watcher",
    watcherActor({ trainer, symbols: () => ["BTCUSDT", "ETHUSDT"], responsible: (s) => s === "BTCUSDT", events: (e) => events.push(e), settings: { huntIntervalMs: 1000 } }),
  );
  await waitFor(async () => (await statusOf(ref)).symbols.BTCUSDT?.rounds === 1);
  const st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.last?.status, "failed");
  assert.equal(st.symbols.BTCUSDT!.mode, "hunt");
  assert.equal(st.symbols.ETHUSDT, undefined);
  assert.ok(events.some((e) => e.type === "training-failed" && e.error === "database down"));
  trainer.fail = null;
  trainer.rows = 30;
  clock.advance(1000);
  await waitFor(async () => (await statusOf(ref)).symbols.BTCUSDT?.mode === "patrol");
  assert.ok(trainer.calls.every((c) => c.symbol === "BTCUSDT"));
});
