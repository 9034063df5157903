import { it } from "node:test";
import assert from "node:assert/strict";
import {
  appendAudit,
  championHistory,
  currentChampions,
  failRun,
  finishRun,
  listAudit,
  listModelVersions,
  listQualityReports,
  listRuns,
  qualityViolations,
  QueryError,
  recordPromotion,
  registerModelVersion,
  runImportances,
  saveQualityReport,
  startRun,
} from "../../src/db/index.js";
import { onEachBackend } from "./each-backend.js";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

onEachBackend("registry tables", (backend) => {
  it("tracks runs with params, metrics and importances; lists newest first", async () => {
    await using db = await backend.openMigrated();
    await startRun(db, { runId: "r1", experiment: "league/BTCUSDT", symbol: "BTCUSDT", algorithm: "random_forest", startedAt: at(1), horizonMs: 10_000 });
    await startRun(db, { runId: "r2", experiment: "league/BTCUSDT", symbol: "BTCUSDT", algorithm: "elasticnet", startedAt: at(2) });
    await startRun(db, { runId: "r3", experiment: "league/ETHUSDT", symbol: "ETHUSDT", algorithm: "gbt", startedAt: at(3) });
    await finishRun(db, "r1", { params: { trees: 50, maxDepth: 6, bootstrap: true }, metrics: { rmse: 1.5, r2: 0.2, skill: 0.05 }, importances: { lag_1: 0.6, volatility: 0.1, ma_5: 0.3 }, trainRows: 800, testRows: 200, artifactUri: "lake/models/r1.json", finishedAt: at(10) });
    await failRun(db, "r2", "singular matrix", at(4));
    await assert.rejects(finishRun(db, "nope", { params: {}, metrics: {}, importances: {}, trainRows: 0, testRows: 0 }), /no run nope/);

    const btc = await listRuns(db, { symbol: "BTCUSDT" });
    assert.deepEqual(btc.map((r) => [r.runId, r.status, r.experiment]), [["r2", "failed", "league/BTCUSDT"], ["r1", "finished", "league/BTCUSDT"]]);
    const r1 = btc[1]!;
    assert.deepEqual(r1.params, { trees: "50", maxDepth: "6", bootstrap: "true" });
    assert.deepEqual(r1.metrics, { rmse: 1.5, r2: 0.2, skill: 0.05 });
    assert.deepEqual([r1.trainRows, r1.testRows, r1.artifactUri, r1.finishedAt?.getTime()], [800, 200, "lake/models/r1.json", at(10).getTime()]);
    assert.equal(btc[0]!.error, "singular matrix");
    assert.deepEqual(btc[0]!.metrics, {});
    assert.equal((await listRuns(db)).length, 3);
    assert.deepEqual(await runImportances(db, "r1"), [{ feature: "lag_1", importance: 0.6 }, { feature: "ma_5", importance: 0.3 }, { feature: "volatility", importance: 0.1 }]);
  });

  it("numbers model versions per symbol and keeps the champion history", async () => {
    await using db = await backend.openMigrated();
    await startRun(db, { runId: "a", experiment: "league/BTCUSDT", symbol: "BTCUSDT", algorithm: "gbt" });
    await startRun(db, { runId: "b", experiment: "league/ETHUSDT", symbol: "ETHUSDT", algorithm: "gbt" });
    const versions = await Promise.all([1, 2, 3].map(() => registerModelVersion(db, { symbol: "BTCUSDT", runId: "a", algorithm: "gbt", artifactUri: "x", rmse: 1, rmseNaive: 1.2 })));
    assert.deepEqual(versions.map((v) => v.modelVersion).sort(), ["BTCUSDT/v1", "BTCUSDT/v2", "BTCUSDT/v3"]);
    const eth = await registerModelVersion(db, { symbol: "ETHUSDT", runId: "b", algorithm: "gbt", artifactUri: "y" });
    assert.deepEqual([eth.version, eth.modelVersion, eth.rmse], [1, "ETHUSDT/v1", null]);
    assert.deepEqual((await listModelVersions(db, "BTCUSDT")).map((v) => v.version), [1, 2, 3]);

    assert.equal((await recordPromotion(db, "BTCUSDT", "BTCUSDT/v1", "first model")).previousModelVersion, null);
    assert.equal((await recordPromotion(db, "BTCUSDT", "BTCUSDT/v3", "rmse 0.9 < 1.0, beats naive")).previousModelVersion, "BTCUSDT/v1");
    await recordPromotion(db, "ETHUSDT", "ETHUSDT/v1", "first model");
    await assert.rejects(recordPromotion(db, "ETHUSDT", "ETHUSDT/v9", "unknown"), (err: unknown) => err instanceof QueryError && err.code === "23503");
    assert.deepEqual((await currentChampions(db)).map((c) => [c.symbol, c.modelVersion]), [["BTCUSDT", "BTCUSDT/v3"], ["ETHUSDT", "ETHUSDT/v1"]]);
    assert.deepEqual((await championHistory(db, "BTCUSDT")).map((c) => c.modelVersion), ["BTCUSDT/v3", "BTCUSDT/v1"]);
    // A demotion leaves naive serving (a NULL model_version); a rollback and the next promotion name it as previous.
    assert.equal((await recordPromotion(db, "BTCUSDT", "naive", "demoted BTCUSDT/v3: worse-than-naive", "demoted")).previousModelVersion, "BTCUSDT/v3");
    assert.equal((await recordPromotion(db, "BTCUSDT", "BTCUSDT/v3", "rollback from naive", "rolled-back")).previousModelVersion, "naive");
    assert.deepEqual((await championHistory(db, "BTCUSDT")).map((c) => [c.action, c.modelVersion]), [["rolled-back", "BTCUSDT/v3"], ["demoted", "naive"], ["promoted", "BTCUSDT/v3"], ["promoted", "BTCUSDT/v1"]]);
    assert.deepEqual((await currentChampions(db)).map((c) => [c.symbol, c.action]), [["BTCUSDT", "rolled-back"], ["ETHUSDT", "promoted"]]);
    await assert.rejects(recordPromotion(db, "ETHUSDT", "ETHUSDT/v1", "x", "sideways" as never), (err: unknown) => err instanceof QueryError && err.code === "23514");
  });

  it("stores quality reports with violations, and the admin audit log", async () => {
    await using db = await backend.openMigrated();
    const report = { reportId: "q1", startedAt: at(0), finishedAt: null, status: "RUNNING" as const, rowsChecked: 0, rowsFailed: 0, triggeredBy: "admin:alice", summary: {} };
    await saveQualityReport(db, report);
    await saveQualityReport(db, { ...report, finishedAt: at(5), status: "FAILED", rowsChecked: 1000, rowsFailed: 2, summary: { price_not_positive: 1, future_timestamp: 1 } }, [
      { rule: "price_not_positive", symbol: "BTCUSDT", windowEnd: 1_700_000_000_000, detail: "close = 0", quarantined: true },
      { rule: "future_timestamp", symbol: "ETHUSDT", windowEnd: 1_900_000_000_000 },
    ]);
    const [saved] = await listQualityReports(db);
    assert.deepEqual(
      { ...saved!, startedAt: saved!.startedAt.getTime(), finishedAt: saved!.finishedAt?.getTime() },
      { reportId: "q1", startedAt: at(0).getTime(), finishedAt: at(5).getTime(), status: "FAILED", rowsChecked: 1000, rowsFailed: 2, triggeredBy: "admin:alice", summary: { price_not_positive: 1, future_timestamp: 1 } },
    );
    assert.deepEqual(await qualityViolations(db, "q1"), [
      { rule: "price_not_positive", symbol: "BTCUSDT", windowEnd: 1_700_000_000_000, detail: "close = 0", quarantined: true },
      { rule: "future_timestamp", symbol: "ETHUSDT", windowEnd: 1_900_000_000_000, detail: "", quarantined: false },
    ]);
    // A run whose worst check only warned keeps that status; anything else is refused by the table.
    await saveQualityReport(db, { ...report, reportId: "q2", startedAt: at(6), finishedAt: at(7), status: "WARN", summary: { stale_symbol: 1 } });
    assert.equal((await listQualityReports(db))[0]!.status, "WARN");
    await assert.rejects(saveQualityReport(db, { ...report, reportId: "q3", status: "MAYBE" as never }));

    const first = await appendAudit(db, { nodeId: "n1", principal: "local", command: "training.run", args: { symbol: "BTCUSDT" }, outcome: "accepted", at: at(1) });
    await appendAudit(db, { nodeId: "n1", principal: "token:ops", command: "quality.run", outcome: "refused", detail: "unknown token" });
    const log = await listAudit(db);
    assert.deepEqual(log.map((e) => [e.command, e.outcome, e.principal, e.detail]), [["quality.run", "refused", "token:ops", "unknown token"], ["training.run", "accepted", "local", null]]);
    assert.deepEqual([log[1]!.id, log[1]!.args, log[1]!.at.getTime()], [first, { symbol: "BTCUSDT" }, at(1).getTime()]);
  });
});
