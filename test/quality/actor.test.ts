/**
 * The QualityAuditor actor under an injected clock: the schedule runs the gate only on the
 * elected node; a broken run fails the message, the supervisor restarts the actor, and the
 * schedule carries on afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActorSystem, ManualClock } from "../../src/runtime/actor/index.js";
import { Lake, LakeWriter, bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, type AuditorDeps, type QualityRunReport } from "../../src/quality/index.js";
import { auditorActor, newAuditorMemory } from "../../src/actors/quality/actor.js";
import { waitFor } from "../helpers/wait.js";
import { btcTrades } from "./fixtures.js";

test("scheduled runs only when elected; a failing run restarts the actor and the schedule goes on", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quality-actor-"));
  try {
    const lake = Lake.open(dir);
    const trades = btcTrades().slice(0, 2_000);
    const w = new LakeWriter({ table: await lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: "t" });
    w.add(trades, 1);
    await w.flush();
    const now = trades[trades.length - 1]!.tradeTime + 1_000;
    const clock = new ManualClock(now);
    await using system = new ActorSystem({ name: "q", clock });
    const published: QualityRunReport[] = [];
    let breakNext = false;
    const flaky = { ...lake, exists: async (n: string) => { if (breakNext) { breakNext = false; throw new Error("lake unreachable"); } return lake.exists(n); }, table: (n: string) => lake.table(n) } as unknown as Lake;
    const deps: AuditorDeps = { lake: flaky, log: createLogger({ node: "n", level: "error", write: () => {} }), now: () => now, subscribed: () => ["BTCUSDT"], options: DEFAULT_QUALITY_OPTIONS, publish: (_s, r) => published.push(r) };
    let elected = false;
    const memory = newAuditorMemory();
    const ref = system.spawn("quality", auditorActor({ deps, scheduleEveryMs: 60_000, isElected: () => elected, memory }));
    const restarts = () => system.stats().find((s) => s.path.endsWith("/quality"))?.restarts ?? 0;

    clock.advance(60_000);
    await ref.ask({ type: "status" });
    assert.equal(published.length, 0, "not elected: no run");

    elected = true;
    clock.advance(60_000);
    await waitFor(() => published.length === 1, { what: "first scheduled run" });
    assert.equal(published[0]!.trigger, "schedule");
    assert.equal(published[0]!.status, "PASSED");
    assert.equal(published[0]!.since, clock.now() - 24 * 3_600_000, "the first scheduled run looks back 24 h");

    breakNext = true;
    clock.advance(60_000);
    await waitFor(() => published.length === 2 && restarts() === 1, { what: "the failed run reported and the actor restarted" });
    assert.equal(published[1]!.status, "ERROR");
    assert.match(published[1]!.error ?? "", /lake unreachable/);

    // The restart waits its backoff on the injected clock, then the timer is set again.
    await waitFor(() => {
      clock.advance(1_000);
      return ref.isAlive && published.length >= 3;
    }, { what: "scheduled runs after the restart" });
    assert.equal(published.at(-1)!.status, "PASSED");
    // Incremental: from the last scheduled run's start minus the 10-minute overlap (deps.now is fixed here).
    assert.equal(published.at(-1)!.since, Math.max(clock.now() - 24 * 3_600_000, now - 10 * 60_000));
    assert.ok(memory.runs >= 3);
    assert.equal(memory.last?.reportId, published.at(-1)!.reportId);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
