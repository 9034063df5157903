import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { NodeDatabase } from "../../src/node/components/database.js";
import { replayNode, servingComponent } from "../../src/node/components/serving.js";
import { callAdmin } from "../../src/admin/client.js";
import { localAdminToken } from "../../src/admin/auth.js";
import { parseReplayFrom, InvalidReplayPosition } from "../../src/db/serving/replay.js";
import { barMessage, makeBar } from "../db/serving-rows.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { tempDir } from "../market-e2e/support.js";

test("replay positions: a sequence, an ISO time or a duration ago; anything else is refused with the reason", () => {
  const now = Date.parse("2026-11-28T10:00:00Z");
  assert.deepEqual(parseReplayFrom(["--from-seq", "42"], now), { seq: 42 });
  assert.deepEqual(parseReplayFrom(["--from-time", "2026-11-28T08:00:00Z"], now), { time: new Date("2026-11-28T08:00:00Z") });
  assert.deepEqual(parseReplayFrom(["--from-time", "2h"], now), { time: new Date("2026-11-28T08:00:00Z") });
  for (const args of [[], ["--from-seq", "0"], ["--from-seq", "x"], ["--from-time", "yesterday"], ["--from-seq", "1", "--from-time", "1h"]]) {
    assert.throws(() => parseReplayFrom(args, now), InvalidReplayPosition, JSON.stringify(args));
  }
});

test("admin replay rebuilds the serving tables from a log position, every bar exactly once", async () => {
  await using server = await startNatsServer();
  const dataDir = tempDir("replay-serving-");
  const nc = await connect({ servers: server.url });
  const config = loadConfig(["--node-id", "serve1", "--roles", "serving", "--data-dir", dataDir], { NATS_URL: server.url });
  const database = new NodeDatabase(config);
  const node = await PlatformNode.start({ config, nc, log: createLogger({ node: "serve1", level: "warn" }), components: [servingComponent(database, { transformEveryMs: 0 })] });
  try {
    const js = jetstream(nc);
    const bars = Array.from({ length: 40 }, (_, i) => makeBar("BTCUSDT", i));
    for (const bar of bars) await js.publish("silver.BTCUSDT", JSON.stringify(barMessage(bar)));
    const db = await database.get();
    const count = async () => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM silver_bars WHERE symbol = 'BTCUSDT'")).rows[0]!.n);
    await waitFor(async () => (await count()) === 40, { timeoutMs: 30_000, what: "40 bars served" });

    // Lose the table's rows (a restored backup, a bad migration): the log still has them.
    await db.query("DELETE FROM silver_bars");
    const token = localAdminToken(dataDir);
    const bad = await callAdmin(nc, "replay", ["--from-seq", "zero"], { token });
    assert.ok(bad.every((r) => !r.ok && r.code === "bad-request"));
    const [reply] = await callAdmin(nc, "replay", ["--from-seq", "11"], { token, timeoutMs: 30_000, expectReplies: 1 });
    assert.ok(reply?.ok, JSON.stringify(reply));
    await waitFor(async () => (await count()) === 30, { timeoutMs: 30_000, what: "bars 11..40 served again" });
    const [again] = await callAdmin(nc, "replay", ["--from-seq", "1"], { token, timeoutMs: 30_000, expectReplies: 1 });
    assert.ok(again?.ok);
    await waitFor(async () => (await count()) === 40, { timeoutMs: 30_000, what: "all 40 bars served after a full replay" });
    const distinct = await db.query<{ n: string }>("SELECT count(DISTINCT window_end) AS n FROM silver_bars");
    assert.equal(Number(distinct.rows[0]!.n), 40, "no bar twice");
  } finally {
    await node.stop();
    await nc.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("replayNode: the live serving member with the smallest id runs a replay, whoever owns partitions", () => {
  const m = (nodeId: string, ...roles: string[]) => ({ nodeId, roles });
  assert.equal(replayNode([m("n3", "serving"), m("n1", "market", "lake"), m("n2", "serving", "web")]), "n2");
  assert.equal(replayNode([m("n1", "ingest")]), null);
});
