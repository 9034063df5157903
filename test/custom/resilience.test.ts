import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { CustomRouter, readCustomTable } from "../../src/custom/index.js";
import { customDataComponent } from "../../src/node/components/custom.js";
import { iotReadings } from "../../src/custom/simulators/index.js";
import { loadConfig } from "../../src/config/index.js";
import { Lake, LakeStorageError, LocalStorage, type Storage } from "../../src/lake/index.js";
import { TradeLogPublisher, decodeTradeLogTrades, silentLogger } from "../../src/ingest/index.js";
import type { NodeContext } from "../../src/node/component.js";
import { createLogger } from "../../src/runtime/log.js";
import { ShutdownSequence } from "../../src/node/shutdown.js";
import { waitFor } from "../helpers/wait.js";
import { ACME_KEY, startStack } from "./support.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const enc = new TextEncoder();

/** Local storage that fails every call while `down` (a lake outage). */
class FlakyStorage implements Storage {
  down = false;
  readonly #inner: LocalStorage;
  constructor(root: string) {
    this.#inner = new LocalStorage(root);
  }
  get uri() {
    return this.#inner.uri;
  }
  #check() {
    if (this.down) throw new LakeStorageError("storage is down (test)");
  }
  async get(key: string) { this.#check(); return this.#inner.get(key); }
  async head(key: string) { this.#check(); return this.#inner.head(key); }
  async put(key: string, bytes: Uint8Array) { this.#check(); return this.#inner.put(key, bytes); }
  async putIfAbsent(key: string, bytes: Uint8Array) { this.#check(); return this.#inner.putIfAbsent(key, bytes); }
  async list(prefix: string, startAfter?: string) { this.#check(); return this.#inner.list(prefix, startAfter); }
  async delete(key: string) { this.#check(); return this.#inner.delete(key); }
}

test("a lake outage holds the acks back; when the lake is back every row lands once", async () => {
  await using s = await startStack();
  const storage = new FlakyStorage(join(s.dir, "lake"));
  const lake = new Lake(storage);
  const jsm = await jetstreamManager(s.probe);
  const publisher = await TradeLogPublisher.start(s.nc, { spoolDir: join(s.dir, "spool"), log: silentLogger });
  const router = await CustomRouter.start(s.nc, { lake, publisher, maxAgeMs: 50 });
  try {
    const readings = iotReadings({ startTime: T, seed: 9 });
    s.probe.publish("ingest.plant.iot", enc.encode(JSON.stringify(readings.next().value)));
    await waitFor(() => router.status().ackedSeq >= 1, { what: "first reading committed" });

    storage.down = true;
    for (let i = 0; i < 30; i++) s.probe.publish("ingest.plant.iot", enc.encode(JSON.stringify(readings.next().value)));
    s.probe.publish("ingest.plant.market", enc.encode(JSON.stringify({ symbol: "gear", price: 3, timestamp: T })));
    await s.probe.flush();
    await waitFor(() => router.status().errors >= 2, { what: "failed commits while the lake is down" });
    assert.equal(router.status().ackedSeq, 1, "nothing is acknowledged while the lake is down");
    assert.equal((await jsm.consumers.info("CUSTOM", "custom-router")).ack_floor.stream_seq, 1);
    // The trade does not wait for the lake: it is in TRADES already.
    await waitFor(async () => (await jsm.streams.info("TRADES")).state.messages === 1, { what: "trade published during the outage" });

    storage.down = false;
    await waitFor(() => router.status().ackedSeq >= 32, { what: "acks after the lake is back", timeoutMs: 30_000 });
    assert.equal((await readCustomTable(lake.table("custom.plant.iot"))).length, 31);
    const trade = decodeTradeLogTrades((await jsm.streams.getMessage("TRADES", { seq: 1 }))!.data);
    assert.deepEqual(trade.map((t) => [t.source, t.symbol, t.tradeId]), [["plant", "PLANT_GEAR", 32_000]]);
  } finally {
    await router.close();
    await publisher.close();
  }
});

test("customDataComponent: one router across two ingest nodes; the standby takes over when the leader stops", async () => {
  await using s = await startStack();
  const node = async (id: string) => {
    const config = loadConfig([], { NATS_URL: s.nats.url, NODE_ID: id, DATA_DIR: join(s.dir, id), LAKE_URI: join(s.dir, "lake"), ROLES: "ingest", LEASE_TTL: "1s" });
    const shutdown = new ShutdownSequence();
    const ctx = { config, nc: s.nc, shutdown, log: createLogger({ node: id, level: "debug", write: () => undefined }) } as unknown as NodeContext;
    const component = customDataComponent(config);
    await component.start!(ctx);
    return { component, shutdown, lease: () => (component.status!() as { lease: string }).lease };
  };
  const a = await node("n1");
  const b = await node("n2");
  const table = Lake.open(join(s.dir, "lake")).table("custom.line_3.iot");
  const rows = async () => (await readCustomTable(table).catch(() => [])).length;
  const readings = iotReadings({ startTime: T, seed: 4 });
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) s.probe.publish("ingest.line_3.iot", enc.encode(JSON.stringify(readings.next().value)));
  };
  await waitFor(() => [a.lease(), b.lease()].includes("held"), { what: "a leader" });
  publish(10);
  await waitFor(async () => (await rows()) === 10, { what: "10 rows from the leader" });
  const [leader, standby] = a.lease() === "held" ? [a, b] : [b, a];
  assert.equal(standby.lease(), "standby", "exactly one router runs");

  const report = await leader.shutdown.run();
  assert.deepEqual(report.steps.map((x) => [x.name, x.error]), [["custom-router", undefined]]);
  await waitFor(() => standby.lease() === "held", { what: "the standby takes over", timeoutMs: 15_000 });
  publish(10);
  await waitFor(async () => (await rows()) >= 20, { what: "20 rows after the takeover", timeoutMs: 20_000 });
  const all = await readCustomTable(table);
  assert.equal(all.length, 20);
  assert.equal(new Set(all.map((r) => r._seq)).size, 20, "no record twice");
  await standby.shutdown.run();
  assert.equal((standby.component.status!() as { router: { state: string } }).router.state, "stopped");
});

test("npm run simulate: company posts to the gateway, iot and logs publish on NATS", async () => {
  await using s = await startStack();
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/simulate.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`simulate ${args[0]} exited ${code}: ${out}`))));
    });
  assert.match(await run(["company", "--url", s.server.url, "--key", ACME_KEY, "--count", "12", "--rate", "0", "--batch", "4"]), /posted 12 prices \(0 rejected\)/);
  assert.match(await run(["iot", "--nats", s.nats.url, "--count", "25", "--rate", "0"]), /published 25 records on ingest.iot_sensors.iot/);
  assert.match(await run(["logs", "--nats", s.nats.url, "--count", "7", "--rate", "0", "--source", "web_logs"]), /published 7 records on ingest.web_logs.logs/);
  const jsm = await jetstreamManager(s.probe);
  const subjects = (await jsm.streams.info("CUSTOM", { subjects_filter: ">" })).state.subjects ?? {};
  assert.deepEqual(subjects, { "ingest.acme.market": 3, "ingest.iot_sensors.iot": 25, "ingest.web_logs.logs": 7 });
  await assert.rejects(run(["company", "--url", s.server.url, "--count", "1"]), /--key/);
});
