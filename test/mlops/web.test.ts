/**
 * The MLOps router on a real web server: registry reads (runs paged and sorted, leaderboard,
 * champion with history and importances, live performance), the events subscription, and the
 * guarded admin mutations going through the nodes' admin endpoint over NATS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { adminTokenFor } from "../../src/web/server/routers/admin-gate.js";
import type { WebContext } from "../../src/web/server/context.js";
import type { NatsConnection } from "@nats-io/nats-core";
import { registerControlServices } from "../../src/control/web-services.js";
import { ControlAuth } from "../../src/control/web-auth.js";
import type { ControlServices } from "../../src/control/web-services.js";
import { trpcClient } from "../web/fixtures.js";
import { waitFor } from "../helpers/wait.js";
import { startMlopsStack } from "./web-fixture.js";

test("mlops router: runs, leaderboard, champion, importances, performance, events; train and rollback through the admin endpoint", { timeout: 120_000 }, async () => {
  await using m = await startMlopsStack();
  const { stack } = m;
  const nc = stack.pub;
  await using c = trpcClient(stack.server.url);
  const seen: string[] = [];
  const sub = c.client.mlops.events$.subscribe(undefined, { onData: (e) => seen.push(e.type) });
  await waitFor(async () => {
    nc.publish("events.mlops.warning", new TextEncoder().encode(JSON.stringify({ type: "warning", symbol: "X", message: "ping", at: 0 })));
    await nc.flush();
    return seen.includes("warning");
  }, { what: "events$ flowing" });

  // Two admin rounds from the web (loopback, no ADMIN_TOKENS): boosting → v1, then the league → v2.
  const first = await c.client.mlops.train.mutate({ symbol: "SYNUSDT" });
  assert.equal(first[0]!.nodeId, "n1");
  const second = await c.client.mlops.train.mutate({ symbol: "SYNUSDT" });
  const promotion = (second[0]!.trained[0] as { promotion: { promoted: boolean; version: string } }).promotion;
  assert.deepEqual([promotion.promoted, promotion.version], [true, "SYNUSDT/v2"]);
  await waitFor(() => seen.includes("promoted") && seen.includes("run-completed"), { what: "training events on the page's subscription" });

  assert.deepEqual(await c.client.mlops.symbols.query(), ["SYNUSDT"]);
  const page0 = await c.client.mlops.runs.query({ symbol: "SYNUSDT", sort: "rmse", direction: "asc", page: 0, pageSize: 2 });
  assert.equal(page0.total, 5);
  assert.equal(page0.rows.length, 2);
  assert.ok(page0.rows[0]!.rmse! <= page0.rows[1]!.rmse!);
  const page2 = await c.client.mlops.runs.query({ symbol: "SYNUSDT", sort: "rmse", direction: "asc", page: 2, pageSize: 2 });
  assert.equal(page2.rows.length, 1);
  assert.ok(page2.rows[0]!.rmse! >= page0.rows[1]!.rmse!);
  const versions = (await c.client.mlops.runs.query({ pageSize: 10 })).rows.map((r) => r.modelVersion).filter((v) => v !== null).sort();
  assert.deepEqual(versions, ["SYNUSDT/v1", "SYNUSDT/v2"]);

  const board = await c.client.mlops.leaderboard.query({ symbol: "SYNUSDT" });
  assert.deepEqual(board.map((r) => r.algorithm).sort(), ["decision-tree", "elasticnet", "gradient-boosting", "random-forest"]);
  assert.ok(board.every((r, i) => i === 0 || r.rmse! >= board[i - 1]!.rmse!));
  assert.ok(board.every((r) => r.skill !== null && Math.abs(r.skill - (1 - r.rmse! / r.rmseNaive!)) < 1e-12));

  let champion = await c.client.mlops.champion.query({ symbol: "SYNUSDT" });
  assert.equal(champion.pointer?.version, "SYNUSDT/v2");
  assert.deepEqual(champion.history.map((h) => h.modelVersion), ["SYNUSDT/v2", "SYNUSDT/v1"]);
  assert.equal(champion.importances.length, 7);
  // Grouped as the model's columns: lag_3 and momentum are one (momentum = −lag_3 once scaled), shares still sum to 1.
  assert.deepEqual(champion.importanceGroups.map((g) => g.features).filter((f) => f.length > 1), [["lag_3", "momentum"]]);
  assert.equal(champion.importanceGroups.length, 6);
  assert.ok(Math.abs(champion.importanceGroups.reduce((sum, g) => sum + g.importance, 0) - 1) < 1e-9);
  assert.deepEqual(await c.client.mlops.importances.query({ runId: champion.runId! }), champion.importances);

  const perf = await c.client.mlops.performance.query({ symbol: "SYNUSDT", hours: 24, bucketMinutes: 15 });
  assert.ok(perf.points.length > 0);
  assert.ok(perf.points.every((p) => p.modelVersion === "naive" && Math.abs(p.rmse - p.rmseNaive) < 1e-12), "naive predictions realise the naive error");
  assert.deepEqual(perf.byVersion, [], "gold model_performance not built in this test");

  const rolled = await c.client.mlops.rollback.mutate({ symbol: "SYNUSDT" });
  assert.deepEqual([rolled.from, rolled.to, rolled.nodeId], ["SYNUSDT/v2", "SYNUSDT/v1", "n1"]);
  champion = await c.client.mlops.champion.query({ symbol: "SYNUSDT" });
  assert.equal(champion.pointer?.version, "SYNUSDT/v1");
  await assert.rejects(c.client.mlops.rollback.mutate({ symbol: "SYNUSDT" }), (err: unknown) => {
    assert.ok(err instanceof TRPCClientError);
    assert.equal(err.data?.code, "BAD_REQUEST");
    assert.match(err.message, /no previous champion/);
    return true;
  });
  sub.unsubscribe();
});

test("admin gate: tokens when configured, otherwise loopback only; no gate, no mutations", async () => {
  const ctx = (admin: WebContext["admin"], remoteAddress: string, token?: string) => ({ admin, caller: { remoteAddress, token } }) as unknown as WebContext;
  const code = (f: () => unknown) => {
    try {
      f();
      return "ok";
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  const withTokens = { tokens: ["t1", "t2"], localToken: "local" };
  assert.equal(adminTokenFor(ctx(withTokens, "10.0.0.5", "t2")).token, "t2", "a configured token from anywhere");
  assert.match(adminTokenFor(ctx(withTokens, "10.0.0.5", "t2")).principal, /^web:token-[0-9a-f]{8}@10\.0\.0\.5$/, "signed on behalf of the caller, named by the token's key id");
  assert.equal(adminTokenFor(ctx(withTokens, "10.0.0.5"), "t1").token, "t1", "token in the input");
  assert.equal(code(() => adminTokenFor(ctx(withTokens, "127.0.0.1"))), "UNAUTHORIZED", "with tokens configured, loopback alone is not enough");
  assert.equal(code(() => adminTokenFor(ctx(withTokens, "10.0.0.5", "t3"))), "UNAUTHORIZED");
  const localOnly = { tokens: [], localToken: "local" };
  for (const addr of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) assert.deepEqual(adminTokenFor(ctx(localOnly, addr)), { token: "local", principal: `web:local@${addr}` }, addr);
  assert.equal(code(() => adminTokenFor(ctx(localOnly, "192.168.1.9", "anything"))), "UNAUTHORIZED");
  assert.equal(code(() => adminTokenFor(ctx({ tokens: [] }, "127.0.0.1"))), "FORBIDDEN");
  assert.equal(code(() => adminTokenFor(ctx(undefined, "127.0.0.1", "t1"))), "FORBIDDEN");

  // Without its own option the gate defers to the control plane's auth on the same connection.
  const nc = {} as NatsConnection;
  const refusals: unknown[] = [];
  const unregister = registerControlServices(nc, { auth: new ControlAuth(["t9"], "/nonexistent"), auditRefusal: (r: unknown) => refusals.push(r) } as unknown as ControlServices);
  try {
    const viaControl = (remoteAddress: string, token?: string) => ({ nc, caller: { remoteAddress, token } }) as unknown as WebContext;
    assert.equal(adminTokenFor(viaControl("10.0.0.5", "t9"), null, "rollback").token, "t9");
    assert.equal(code(() => adminTokenFor(viaControl("10.0.0.5", "nope"), null, "rollback")), "UNAUTHORIZED");
    assert.equal(refusals.length, 1, "the refusal is audited");
  } finally {
    unregister();
  }
});
