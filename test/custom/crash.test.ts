import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensureCustomStreams, readCustomTable } from "../../src/custom/index.js";
import { iotReadings } from "../../src/custom/simulators/index.js";
import { Lake } from "../../src/lake/index.js";
import { decodeTradeLogTrades } from "../../src/ingest/index.js";
import type { Trade } from "../../src/market/trade.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const enc = new TextEncoder();
const CHILD = new URL("./router-child.ts", import.meta.url).pathname;

function spawnRouter(url: string, dir: string): { child: ChildProcess; acked: () => number } {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, url, dir], { stdio: ["ignore", "pipe", "inherit"] });
  let acked = 0;
  child.stdout!.on("data", (d: Buffer) => {
    for (const m of d.toString().matchAll(/acked (\d+)/g)) acked = Math.max(acked, Number(m[1]));
  });
  return { child, acked: () => acked };
}

const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once("exit", () => r())));

async function ackFloor(jsm: JetStreamManager): Promise<number> {
  return (await jsm.consumers.info("CUSTOM", "custom-router").catch(() => null))?.ack_floor.stream_seq ?? 0;
}

test("router SIGKILLed at arbitrary moments: every trade, row and dead letter exactly once", async () => {
  await using nats = await startNatsServer();
  const dir = mkdtempSync(join(tmpdir(), "custom-crash-"));
  const nc = await connect({ servers: nats.url });
  try {
    await ensureCustomStreams(nc);
    const jsm = await jetstreamManager(nc);
    // 400 market records over 4 instruments (in messages of 1 to 4), 600 IoT readings whose schema
    // grows halfway, 10 type conflicts, 5 invalid records: 5 × 203 = 1015 records.
    const iot = iotReadings({ startTime: T, seed: 21, upgradeAfter: 300, sensors: 5 });
    let marketN = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 80; i += 4) {
        const group = Array.from({ length: 4 }, (_, j) => ({ symbol: `I${(i + j) % 4}`, price: 100 + marketN++ / 100, timestamp: T + marketN }));
        nc.publish("ingest.factory.market", enc.encode(JSON.stringify(i % 8 === 0 ? group : group.slice(0, 4))));
      }
      for (let i = 0; i < 120; i += 3) nc.publish("ingest.factory.iot", enc.encode(JSON.stringify([iot.next().value, iot.next().value, iot.next().value])));
      nc.publish("ingest.factory.iot", enc.encode(JSON.stringify({ sensor_id: "x", temperature_c: "n/a" })));
      nc.publish("ingest.factory.iot", enc.encode(JSON.stringify({ sensor_id: "y", pressure_bar: true })));
      nc.publish("ingest.factory.market", enc.encode(JSON.stringify({ symbol: "I1", price: -1, timestamp: T })));
    }
    await nc.flush();
    const last = (await jsm.streams.info("CUSTOM")).state.last_seq;

    // Kill the router while it works: a little further into the stream each time.
    const killedAt: number[] = [];
    for (let k = 0; k < 5; k++) {
      const r = spawnRouter(nats.url, dir);
      const floor = await ackFloor(jsm);
      if (floor >= last) {
        r.child.kill("SIGKILL");
        await exited(r.child);
        break;
      }
      await waitFor(() => r.acked() > 0 || r.child.exitCode !== null, { what: "a commit before the kill", timeoutMs: 30_000 });
      const target = r.acked() + 5 + k * 7;
      await waitFor(() => r.acked() >= Math.min(target, last) || r.acked() >= last, { what: "more commits", timeoutMs: 30_000 });
      r.child.kill("SIGKILL");
      killedAt.push(r.acked());
      await exited(r.child);
    }
    assert.ok(killedAt.filter((a) => a < last).length >= 3, `kills landed mid-stream (acked ${killedAt.join(", ")} of ${last})`);
    // A last incarnation finishes the stream and stops cleanly.
    const r = spawnRouter(nats.url, dir);
    await waitFor(async () => (await ackFloor(jsm)) >= last, { what: "every CUSTOM message acknowledged", timeoutMs: 60_000 });
    r.child.kill("SIGTERM");
    await exited(r.child);

    const trades: Trade[] = [];
    const tradesLast = (await jsm.streams.info("TRADES")).state.last_seq;
    for (let seq = 1; seq <= tradesLast; seq++) trades.push(...decodeTradeLogTrades((await jsm.streams.getMessage("TRADES", { seq }))!.data));
    assert.equal(trades.length, 400, "every market record once");
    assert.deepEqual(new Set(trades.map((t) => t.price)).size, 400);
    for (const sym of ["FACTORY_I0", "FACTORY_I1", "FACTORY_I2", "FACTORY_I3"]) {
      const ids = trades.filter((t) => t.symbol === sym).map((t) => t.tradeId);
      assert.equal(ids.length, 100, sym);
      assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]!), `${sym}: ids strictly increasing in the log`);
    }
    const rows = await readCustomTable(Lake.open(join(dir, "lake")).table("custom.factory.iot"));
    assert.equal(rows.length, 600, "every IoT reading once");
    assert.equal(new Set(rows.map((x) => `${x.sensor_id}@${x.timestamp}`)).size, 600);
    assert.equal(rows.filter((x) => typeof x.battery_pct === "number").length, 300);
    const dlq = (await jsm.streams.info("DLQ", { subjects_filter: ">" })).state.subjects ?? {};
    assert.deepEqual(dlq, { "dlq.schema_conflict": 10, "dlq.invalid_record": 5 });
  } finally {
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
