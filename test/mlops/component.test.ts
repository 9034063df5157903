/**
 * The ml-role component as a node starts it: silver bars in a temp lake (written by LakeWriter
 * from SymbolActor bars), PostgreSQL, a private nats-server; admin `train` and `rollback` over
 * NATS request/reply through the real AdminService with a token; status for `admin status`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.js";
import { bootstrap, platformLogSpec } from "../../src/runtime/nats/index.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { AdminAuth } from "../../src/admin/auth.js";
import { AdminService } from "../../src/admin/service.js";
import { callAdmin } from "../../src/admin/client.js";
import { ShutdownSequence } from "../../src/node/shutdown.js";
import { createLogger } from "../../src/runtime/log.js";
import type { OwnershipView } from "../../src/runtime/cluster/types.js";
import { Lake, LakeWriter, silverBarsDefinition, silverBarsMapping } from "../../src/lake/index.js";
import { migrate } from "../../src/db/index.js";
import { MLOPS_STATUS_RECENT, mlHandlerOf, mlopsComponent, mlopsStatus } from "../../src/node/components/mlops.js";
import type { WatcherStatus } from "../../src/actors/watcher/actor.js";
import { postgresBackend } from "../db/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { ar1Trades, lakeRowOf, onlineBars, tempDir } from "./support.js";

test("mlops component: trains from the lake's silver table on admin `train` over NATS, rolls back, reports status", { timeout: 120_000 }, async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  await using db = await postgresBackend().open();
  using dataDir = tempDir();
  const lakeUri = `${dataDir.path}/lake`;
  try {
    await bootstrap(nc, platformLogSpec());
    await migrate(db);
    const lake = Lake.open(lakeUri);
    const table = await lake.ensureTable(silverBarsDefinition);
    const writer = new LakeWriter({ table, mapping: silverBarsMapping, appId: "silver" });
    const bars = onlineBars(ar1Trades("SYNUSDT", 400, 1_700_000_000_000, 0.6, 11, 50), "SYNUSDT");
    writer.add(bars.map((b, i) => lakeRowOf(b, i + 1)), bars.length);
    await writer.flush();

    // Long hunt period: the test drives training through admin only (the first hunt check runs at start).
    const config = loadConfig([], { DATA_DIR: dataDir.path, LAKE_URI: lakeUri, SYMBOLS: "SYNUSDT", ROLES: "ml", NODE_ID: "n1", ADMIN_TOKENS: "secret" });
    const component = mlopsComponent(config, { db: async () => db, settings: { huntIntervalMs: 3_600_000, patrolIntervalMs: 3_600_000 }, algorithms: ["elasticnet", "gradient-boosting"] });
    await using system = new ActorSystem({ name: "n1" });
    await using admin = new AdminService(nc, "n1", AdminAuth.fromConfig(config.adminTokens, dataDir.path));
    admin.start();
    const ownership = { nodeId: "n1", members: () => [] } as unknown as OwnershipView;
    const shutdown = new ShutdownSequence();
    const log = createLogger({ node: "n1", level: "error", write: () => {} });
    await component.start!({ config, nc, system, ownership, admin, shutdown, log });

    // The first hunt check at start already finds 390 rows and promotes.
    await waitFor(() => (component.status!() as { symbols: Record<string, { mode: string }> }).symbols.SYNUSDT?.mode === "patrol", { what: "hunt → patrol", timeoutMs: 60_000 });

    const unauthorized = await callAdmin(nc, "train", ["SYNUSDT"], { token: "wrong" });
    assert.equal(unauthorized[0]!.ok, false);

    const [reply] = await callAdmin(nc, "train", ["SYNUSDT"], { token: "secret", timeoutMs: 60_000 });
    assert.ok(reply!.ok, JSON.stringify(reply));
    const result = (reply as { result: { trained: { symbol: string; status: string; runs: { algorithm: string; status: string }[]; champion: string }[] } }).result;
    assert.equal(result.trained[0]!.symbol, "SYNUSDT");
    assert.equal(result.trained[0]!.status, "trained");
    assert.deepEqual(result.trained[0]!.runs.map((r) => r.status), ["finished", "finished"]);
    assert.equal(result.trained[0]!.champion, "SYNUSDT/v1", "the same data cannot beat the champion trained on it");

    const bad = await callAdmin(nc, "rollback", ["SYNUSDT"], { token: "secret" });
    assert.equal(bad[0]!.ok, false, "v1 has no previous champion");
    assert.match((bad[0] as { error: string }).error, /no previous champion/);

    const status = component.status!() as { huntEveryMs: number; symbols: Record<string, { mode: string; nextRun: string; last: string; champion: string; rounds: number }>; lastEvent: { type: string } };
    assert.equal(status.huntEveryMs, 3_600_000);
    assert.match(status.symbols.SYNUSDT!.last, /^trained: not promoted: too-few-rows-vs-champion: 0 held-out rows newer than the champion's data/);
    assert.equal(status.symbols.SYNUSDT!.champion, "SYNUSDT/v1");
    assert.equal(status.symbols.SYNUSDT!.rounds, 2);
    assert.ok(Date.parse(status.symbols.SYNUSDT!.nextRun) > Date.now());
    assert.equal(status.lastEvent.type, "not-promoted");
    assert.deepEqual((status as unknown as { totals: unknown }).totals, { symbols: 1, hunting: 0, patrolling: 1, running: 0, rounds: 2, champions: 1, lastResults: { trained: 1 } });
    // `ml-status SYMBOL` over NATS: that symbol's entry, named in any case.
    const [named] = await callAdmin(nc, "ml-status", ["synusdt"], { token: "secret" });
    assert.ok(named?.ok, JSON.stringify(named));
    assert.deepEqual(Object.keys((named.result as { symbols: object }).symbols), ["SYNUSDT"]);
    assert.equal(mlHandlerOf({ nodeId: "n1", members: () => [] }, "SYNUSDT"), "n1");
    assert.ok(await lake.storage.get("models/SYNUSDT/v1/model.json"));
    await shutdown.run();
  } finally {
    await nc.close();
  }
});

test("mlHandlerOf: one ml node per symbol, stable, only ml members count", () => {
  const members = (ids: string[], roles = ["ml"]) => ids.map((nodeId) => ({ nodeId, roles, host: "h", pid: 1, startedAt: 0, heartbeatAt: 0 }));
  const view = (self: string, ids: string[]) => ({ nodeId: self, members: () => [...members(ids), ...members(["web-only"], ["web"])] });
  const symbols = Array.from({ length: 60 }, (_, i) => `SYM${i}USDT`);
  const owners = symbols.map((s) => mlHandlerOf(view("a", ["a", "b", "c"]), s));
  assert.deepEqual(symbols.map((s) => mlHandlerOf(view("b", ["a", "b", "c"]), s)), owners, "every node computes the same owner");
  assert.ok(!owners.includes("web-only"));
  for (const id of ["a", "b", "c"]) assert.ok(owners.filter((o) => o === id).length > 5, `${id} gets a share`);
  // A leaving node's symbols move; the others stay put.
  const after = symbols.map((s) => mlHandlerOf(view("a", ["a", "b"]), s));
  symbols.forEach((_, i) => {
    if (owners[i] !== "c") assert.equal(after[i], owners[i]);
  });
});

test("the ml role's status stays small at 5,000 symbols: totals for all, entries for the running and latest rounds or for the symbols named", () => {
  const symbols: WatcherStatus["symbols"] = {};
  for (let i = 0; i < 5000; i++) {
    const at = 1_700_000_000_000 + i * 1000;
    symbols[`S${String(i).padStart(4, "0")}USDT`] = {
      mode: i % 3 === 0 ? "patrol" : "hunt",
      running: i === 7 ? "hunt" : null,
      nextRunAt: at + 60_000,
      rounds: 2,
      last: i % 5 === 0 ? null : { status: i % 3 === 0 ? "trained" : "insufficient-data", rows: 10, promoted: null, champion: i % 3 === 0 ? `S${i}/v1` : null, detail: "10 of 300 rows", at },
    };
  }
  const watcher = { settings: { huntIntervalMs: 60_000, patrolIntervalMs: 600_000 }, symbols } as unknown as WatcherStatus;
  const status = mlopsStatus(watcher, null, null);
  const bytes = JSON.stringify(status).length;
  assert.ok(bytes < 4096, `${bytes} bytes`); // every symbol listed: over 1 MB, more than one NATS message
  const patrolling = Object.values(symbols).filter((w) => w.mode === "patrol").length;
  const trained = Object.values(symbols).filter((w) => w.last?.status === "trained").length;
  assert.deepEqual(status.totals, { symbols: 5000, hunting: 5000 - patrolling, patrolling, running: 1, rounds: 10_000, champions: trained, lastResults: { trained, "insufficient-data": 4000 - trained } });
  // The running one first, then the latest rounds to end (the highest indexes not divisible by 5).
  const listed = Object.keys(status.symbols);
  assert.equal(listed.length, MLOPS_STATUS_RECENT);
  assert.ok(listed.includes("S0007USDT"), "the running round is listed");
  assert.deepEqual(listed.filter((s) => s !== "S0007USDT"), ["S4989USDT", "S4991USDT", "S4992USDT", "S4993USDT", "S4994USDT", "S4996USDT", "S4997USDT", "S4998USDT", "S4999USDT"]);
  const named = mlopsStatus(watcher, null, null, { symbols: ["S0001USDT", "S0002USDT", "NOPEUSDT"] });
  assert.deepEqual(Object.keys(named.symbols), ["S0001USDT", "S0002USDT"]);
  assert.equal(named.symbols.S0001USDT!.last, "insufficient-data: 10 of 300 rows at 2023-11-14T22:13:21.000Z");
});
