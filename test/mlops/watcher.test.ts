import { test } from "node:test";
import assert from "node:assert/strict";
import { ActorSystem, ManualClock, type ActorRef } from "../../src/runtime/actor/index.js";
import { eventLogLevel, type MlopsEvent, type TrainingOutcome, type TrainingTrigger } from "../../src/mlops/index.js";
import { createWatcherState, watcherActor, watcherTransition, type RoundResult, type RoundSummary, type WatcherActorMessage, type WatcherEffect, type WatcherMessage, type WatcherReply, type WatcherStatus } from "../../src/actors/watcher/index.js";
import { waitFor } from "../helpers/wait.js";

const result = (status: RoundResult["status"], champion: string | null = null): RoundResult => ({ status, rows: 0, promoted: null, champion, detail: "", at: 0 });

/** A plan without a survey (every hunting symbol asks the trainer), as with no lake listing. */
const plan = (symbols: readonly string[], extra: Partial<Extract<WatcherMessage, { type: "plan" }>> = {}): WatcherMessage => ({
  type: "plan", symbols, rows: null, requiredRows: 20, champions: new Set(), durationMs: 0, ...extra,
});
const summaryOf = (effects: WatcherEffect[]) => effects.find((e) => e.type === "summary")?.summary;
const withoutSummary = (effects: WatcherEffect[]) => effects.filter((e) => e.type !== "summary");

test("watcher transition: hunt every 10 s until a league is trained, then patrol every 5 min; admin joins a running round", () => {
  const s = createWatcherState();
  assert.deepEqual(withoutSummary(watcherTransition(s, plan(["BTCUSDT"]), 0)), [{ type: "start-round", symbol: "BTCUSDT", trigger: "hunt" }]);
  assert.deepEqual(withoutSummary(watcherTransition(s, plan(["BTCUSDT"]), 5)), [], "a running symbol is not restarted");
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 6), [], "no second round while one runs");
  assert.deepEqual(watcherTransition(s, { type: "train-now", symbol: "BTCUSDT" }, 7), [{ type: "join-round", symbol: "BTCUSDT" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("insufficient-data") }, 100), [], "a hunting symbol waits for the next plan");
  assert.equal(s.symbols.BTCUSDT!.mode, "hunt");
  assert.equal(s.symbols.BTCUSDT!.nextRunAt, 10_005, "the next plan (10 s after the last one)");
  assert.deepEqual(withoutSummary(watcherTransition(s, plan(["BTCUSDT"]), 10_005)), [{ type: "start-round", symbol: "BTCUSDT", trigger: "hunt" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("failed") }, 10_200), [], "a failed round keeps hunting");
  watcherTransition(s, plan(["BTCUSDT"]), 20_005);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "hunt", result: result("trained") }, 20_300), [
    { type: "emit", event: { type: "mode-changed", symbol: "BTCUSDT", from: "hunt", to: "patrol", at: 20_300 } },
    { type: "schedule", symbol: "BTCUSDT", delayMs: 300_000 },
  ]);
  assert.deepEqual(withoutSummary(watcherTransition(s, plan(["BTCUSDT"]), 30_005)), [], "plans leave a patrolling symbol to its timer");
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "BTCUSDT" }, 320_300), [{ type: "start-round", symbol: "BTCUSDT", trigger: "patrol" }]);
  assert.deepEqual(watcherTransition(s, { type: "finished", symbol: "BTCUSDT", trigger: "patrol", result: result("insufficient-data", "BTCUSDT/v1") }, 320_400), [{ type: "schedule", symbol: "BTCUSDT", delayMs: 300_000 }], "patrol stays patrol");
  assert.deepEqual(watcherTransition(s, { type: "train-now", symbol: "ETHUSDT" }, 1), [{ type: "start-round", symbol: "ETHUSDT", trigger: "admin" }], "admin may train a symbol never seen");
  assert.deepEqual(watcherTransition(s, { type: "due", symbol: "XRPUSDT" }, 1), [], "a stale timer of an unknown symbol does nothing");
  assert.equal(s.symbols.BTCUSDT!.rounds, 4);
  assert.throws(() => createWatcherState({ huntIntervalMs: 0 }), RangeError);
});

test("an existing champion ends the hunt even before enough new rows exist", () => {
  const s = createWatcherState({ huntIntervalMs: 1000, patrolIntervalMs: 5000 });
  const effects0 = watcherTransition(s, plan(["ETHUSDT"], { rows: new Map([["ETHUSDT", 3]]), champions: new Set(["ETHUSDT"]) }), 0);
  assert.deepEqual(withoutSummary(effects0), [{ type: "start-round", symbol: "ETHUSDT", trigger: "hunt" }], "a champion's symbol is asked even with few rows");
  const effects = watcherTransition(s, { type: "finished", symbol: "ETHUSDT", trigger: "hunt", result: result("insufficient-data", "ETHUSDT/v4") }, 10);
  assert.equal(s.symbols.ETHUSDT!.mode, "patrol");
  assert.deepEqual(effects.at(-1), { type: "schedule", symbol: "ETHUSDT", delayMs: 5000 });
});

test("a plan over 5,000 symbols: one survey, rounds only where rows suffice, ONE summary, per-symbol reasons in the status", () => {
  const s = createWatcherState();
  const symbols = Array.from({ length: 5000 }, (_, i) => `S${i}USDT`);
  // Every 100th symbol has enough rows; S0USDT has none at all (absent from the survey).
  const rows = new Map(symbols.slice(1).map((sym, i) => [sym, (i + 1) % 100 === 0 ? 25 : 5] as const));
  const effects = watcherTransition(s, plan(symbols, { rows, durationMs: 12 }), 0);
  const starts = effects.filter((e) => e.type === "start-round");
  assert.equal(starts.length, 49);
  assert.equal(effects.filter((e) => e.type === "summary").length, 1);
  assert.equal(effects.filter((e) => e.type === "emit").length, 0, "no per-symbol event for a skip");
  assert.deepEqual(summaryOf(effects), { symbols: 5000, started: 49, trained: 0, failed: 0, skipped: { "insufficient-data": 4951 }, evicted: 0, durationMs: 12 });
  assert.deepEqual(s.symbols.S1USDT!.last, { status: "insufficient-data", rows: 5, promoted: null, champion: null, detail: "5 of 20 rows (survey)", at: 0 });
  assert.equal(s.symbols.S0USDT!.last?.rows, 0);
  assert.equal(s.symbols.S1USDT!.rounds, 0, "the trainer was not asked");

  watcherTransition(s, { type: "finished", symbol: "S100USDT", trigger: "hunt", result: result("trained") }, 50);
  watcherTransition(s, { type: "finished", symbol: "S200USDT", trigger: "hunt", result: result("failed") }, 60);
  watcherTransition(s, { type: "finished", symbol: "S300USDT", trigger: "hunt", result: result("insufficient-data") }, 70);
  // 10 s later S4000USDT onwards left (delisted, or another ml node trains them): their state
  // goes, except for the 10 whose rounds still run (a later plan drops them).
  const next = watcherTransition(s, plan(symbols.slice(0, 4000), { rows }), 10_000);
  // Started again: S200 (failed) and S300 (the trainer counted fewer rows than the survey). The
  // trainer's "insufficient" joins the survey's in the skip count.
  assert.deepEqual(summaryOf(next), { symbols: 4000, started: 2, trained: 1, failed: 1, skipped: { "insufficient-data": 3961 + 1, running: 36, "patrol-waiting": 1 }, evicted: 990, durationMs: 0 });
  assert.equal(Object.keys(s.symbols).length, 4010);
  assert.equal(next.filter((e) => e.type === "forget").length, 990);
  assert.ok(next.some((e) => e.type === "start-round" && e.symbol === "S200USDT"), "a failed round is retried at the next plan");
  watcherTransition(s, { type: "finished", symbol: "S4000USDT", trigger: "hunt", result: result("trained") }, 10_100);
  watcherTransition(s, plan(symbols.slice(0, 4000), { rows }), 20_000);
  assert.equal(s.symbols.S4000USDT, undefined, "evicted once its round ended");
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
      symbol, trigger, status: trained ? "trained" : "insufficient-data", rows: this.rows, minRows: 20, runs: [], rmseNaive: null, review: null,
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
  /** No round a millisecond before `at` on the manual clock, then the next one, with `trigger`, at `at`. */
  const nextRoundAt = async (at: number, trigger: TrainingTrigger, nothingBefore: string) => {
    const before = trainer.calls.length;
    clock.advance(at - 1 - clock.now());
    await statusOf(ref);
    assert.equal(trainer.calls.length, before, nothingBefore);
    clock.advance(1);
    await rounds(before + 1);
    assert.deepEqual(trainer.calls[before], { symbol: "BTCUSDT", trigger, at });
  };

  await rounds(1);
  assert.deepEqual(trainer.calls, [{ symbol: "BTCUSDT", trigger: "hunt", at: 0 }]);
  let st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.mode, "hunt");
  assert.equal(st.symbols.BTCUSDT!.nextRunAt, 10_000);
  assert.equal(st.symbols.BTCUSDT!.last?.status, "insufficient-data");

  await nextRoundAt(10_000, "hunt", "nothing before the 10 s hunt period");

  trainer.rows = 25;
  clock.advance(10_000);
  await rounds(3);
  st = await statusOf(ref);
  assert.equal(st.symbols.BTCUSDT!.mode, "patrol");
  assert.equal(st.symbols.BTCUSDT!.nextRunAt, 320_000);
  assert.equal(st.symbols.BTCUSDT!.last?.promoted, "BTCUSDT/v3");
  assert.ok(events.some((e) => e.type === "mode-changed" && e.to === "patrol"));

  await nextRoundAt(320_000, "patrol", "patrol waits 5 minutes");

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

test("watcher actor with a survey: 1,000 short symbols make one summary per hunt interval, no trainer call and no event", async () => {
  const clock = new ManualClock(0);
  await using system = new ActorSystem({ name: "watcher-test-3", clock });
  const trainer = new FakeTrainer(clock);
  const events: MlopsEvent[] = [];
  const summaries: RoundSummary[] = [];
  const symbols = Array.from({ length: 1000 }, (_, i) => `S${i}USDT`);
  let surveys = 0;
  const survey = async () => {
    surveys++;
    return { rows: new Map(symbols.map((s) => [s, 5] as const)), requiredRows: 20, champions: new Set<string>() };
  };
  const ref = system.spawn("watcher", watcherActor({ trainer, symbols: () => symbols, survey, events: (e) => events.push(e), onRound: (s) => summaries.push(s) }));
  await waitFor(() => summaries.length === 1, { what: "first plan" });
  clock.advance(10_000);
  await waitFor(() => summaries.length === 2, { what: "second plan" });
  assert.equal(surveys, 2, "one survey per plan");
  assert.equal(trainer.calls.length, 0);
  assert.equal(events.length, 0);
  assert.deepEqual(summaries[1]!.skipped, { "insufficient-data": 1000 });
  // Per-symbol reasons stay on request.
  assert.equal((await statusOf(ref)).symbols.S999USDT!.last?.detail, "5 of 20 rows (survey)");
  console.log(`1,000 hunting symbols: ${summaries.length} summary lines and ${events.length} events over 2 plans (before: one training-skipped event and log line per symbol per plan)`);
});

test("stopping the watcher while its rounds are loading cancels them silently: no training-failed per symbol", async () => {
  // The demo at 1,000 symbols: a hunt round had just started 1,000 rounds when SIGINT came; each
  // was aborted and reported as a failure, 1,000 WARN lines in the middle of the shutdown.
  const clock = new ManualClock(0);
  const system = new ActorSystem({ name: "watcher-test-stop", clock });
  const symbols = Array.from({ length: 50 }, (_, i) => `S${i}USDT`);
  const started: string[] = [];
  let release!: () => void;
  const loading = new Promise<void>((resolve) => (release = resolve));
  // Like Trainer.train: loads the bars first, then gives up if the round was cancelled meanwhile.
  const trainer = {
    async train(symbol: string, _trigger: TrainingTrigger, signal?: AbortSignal): Promise<TrainingOutcome> {
      started.push(symbol);
      await loading;
      signal?.throwIfAborted();
      throw new Error(`${symbol} should have been cancelled`);
    },
  };
  const events: MlopsEvent[] = [];
  system.spawn("watcher", watcherActor({ trainer, symbols: () => symbols, events: (e) => events.push(e) }));
  await waitFor(() => started.length === symbols.length, { what: "every round started" });
  await system.stop("watcher");
  release();
  await new Promise((r) => setTimeout(r, 50));
  await system[Symbol.asyncDispose]();
  assert.deepEqual(events.filter((e) => e.type === "training-failed"), [], "a cancelled round is not a failure");
});

test("node-log level of MLOps events: decisions at info, failures at warn, a round's routine steps at debug", () => {
  const at = 0;
  assert.equal(eventLogLevel({ type: "training-started", symbol: "S", trigger: "hunt", rows: 30, at }), "debug");
  assert.equal(eventLogLevel({ type: "not-promoted", symbol: "S", best: null, champion: null, reason: "too-few-test-rows", at }), "debug");
  assert.equal(eventLogLevel({ type: "mode-changed", symbol: "S", from: "hunt", to: "patrol", at }), "debug");
  assert.equal(eventLogLevel({ type: "promoted", symbol: "S", version: "S/v1", kind: "elasticnet", previous: null, reason: "beats-naive", rmse: 1, skill: 0.1, at }), "info");
  assert.equal(eventLogLevel({ type: "rolled-back", symbol: "S", from: "S/v2", to: "S/v1", at }), "info");
  assert.equal(eventLogLevel({ type: "training-failed", symbol: "S", trigger: "hunt", error: "x", at }), "warn");
  assert.equal(eventLogLevel({ type: "warning", symbol: "S", message: "x", at }), "warn");
});
