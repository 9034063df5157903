import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { CustomRouter, describeCustomTables, readCustomTable } from "../../src/custom/index.js";
import { companyPrices, iotReadings, logLines, postRecords } from "../../src/custom/simulators/index.js";
import { Lake } from "../../src/lake/index.js";
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import { decodeTradeLogTrades } from "../../src/ingest/index.js";
import type { Trade } from "../../src/market/trade.js";
import { waitFor } from "../helpers/wait.js";
import { ACME_KEY, duckQuery, startRouter, startStack } from "./support.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const enc = new TextEncoder();
const dec = new TextDecoder();

async function lastSeq(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.last_seq;
}

async function routed(router: CustomRouter, jsm: JetStreamManager): Promise<void> {
  const last = await lastSeq(jsm, "CUSTOM");
  await waitFor(() => router.status().ackedSeq >= last, { what: `router acked CUSTOM up to ${last}`, timeoutMs: 30_000 });
}

async function allTrades(jsm: JetStreamManager): Promise<Trade[]> {
  const out: Trade[] = [];
  const last = await lastSeq(jsm, "TRADES");
  for (let seq = 1; seq <= last; seq++) out.push(...decodeTradeLogTrades((await jsm.streams.getMessage("TRADES", { seq }))!.data));
  return out;
}

async function dlqMessages(jsm: JetStreamManager): Promise<{ subject: string; body: Record<string, unknown> }[]> {
  const out = [];
  const last = await lastSeq(jsm, "DLQ");
  for (let seq = 1; seq <= last; seq++) {
    const m = (await jsm.streams.getMessage("DLQ", { seq }))!;
    out.push({ subject: m.subject, body: JSON.parse(dec.decode(m.data)) as Record<string, unknown> });
  }
  return out;
}

function publishAll(nc: NatsConnection, subject: string, records: Iterator<Record<string, unknown>>, n: number, perMessage = 1): void {
  for (let i = 0; i < n; i += perMessage) {
    const group = [];
    for (let j = 0; j < perMessage && i + j < n; j++) group.push(records.next().value!);
    nc.publish(subject, enc.encode(JSON.stringify(perMessage === 1 ? group[0] : group)));
  }
}

test("simulators' data is routed: company prices → TRADES, IoT → sensor table with schema evolution, logs → log table; a type conflict → DLQ while the table stays readable", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  const jsm = await jetstreamManager(s.probe);
  await using r = await startRouter(s, lake);

  // A company posts 60 prices of 3 instruments over HTTP, in batches of 20.
  const prices = [...take(companyPrices({ startTime: T, seed: 1 }), 60)];
  for (let i = 0; i < 60; i += 20) assert.equal((await postRecords(s.server.url, "acme", ACME_KEY, prices.slice(i, i + 20))).status, 202);
  // The IoT fleet: 150 firmware-1 readings (one per message), routed and committed...
  const iot = iotReadings({ startTime: T, seed: 2, upgradeAfter: 150, sensors: 6 });
  publishAll(s.probe, "ingest.iot_sensors.iot", iot, 150);
  // ...and a log producer: 100 lines, 10 per message.
  publishAll(s.probe, "ingest.app_logs.logs", logLines({ startTime: T, seed: 3 }), 100, 10);
  await s.probe.flush();
  await routed(r.router, jsm);
  const sensors = lake.table("custom.iot_sensors.iot");
  const before = await sensors.snapshot();

  // ...then 150 firmware-2 readings with new fields, and one reading whose temperature is text.
  publishAll(s.probe, "ingest.iot_sensors.iot", iot, 150, 5);
  s.probe.publish("ingest.iot_sensors.iot", enc.encode(JSON.stringify({ sensor_id: "press-000", temperature_c: "very hot", timestamp: T })));
  await s.probe.flush();
  await routed(r.router, jsm);

  // Market: every price is a trade of ACME_<INSTRUMENT>, ids increasing per symbol.
  await r.publisher.flush();
  const trades = await allTrades(jsm);
  assert.equal(trades.length, 60);
  for (const sym of ["ACME_WIDGET", "ACME_GADGET", "ACME_SPROCKET"]) {
    const mine = trades.filter((t) => t.symbol === sym);
    assert.equal(mine.length, 20, sym);
    assert.ok(mine.every((t, i) => t.source === "acme" && (i === 0 || t.tradeId > mine[i - 1]!.tradeId)), `${sym} ids increase`);
  }
  const posted = prices.map((p) => `ACME_${p.symbol}@${p.price}x${p.quantity}@${p.timestamp}`).sort();
  assert.deepEqual(trades.map((t) => `${t.symbol}@${t.price}x${t.quantity}@${t.tradeTime}`).sort(), posted);

  // IoT: 300 rows; the schema grew in a later version; old rows read the new columns as null.
  const rows = await readCustomTable(sensors);
  assert.equal(rows.length, 300, "the conflicting record is not in the table");
  const after = await sensors.snapshot();
  const cols = (snap: typeof after) => JSON.parse(snap.metadata.schemaString).fields.map((f: { name: string }) => f.name) as string[];
  assert.ok(!cols(before).includes("battery_pct") && cols(before).includes("temperature_c"));
  assert.ok(cols(after).includes("battery_pct") && cols(after).includes("location_lat") && cols(after).includes("firmware"));
  const history = await sensors.history();
  assert.ok(history.some((h) => h.commitInfo?.operation === "WRITE AND ADD COLUMNS" && h.version > before.version), "a version records the schema change");
  const v1 = rows.filter((x) => x.battery_pct === null);
  const v2 = rows.filter((x) => typeof x.battery_pct === "number");
  assert.deepEqual([v1.length, v2.length], [150, 150]);
  assert.ok(rows.every((x) => x.source === "iot_sensors" && x.data_type === "iot" && x.date === "2026-11-28" && typeof x.temperature_c === "number"));
  assert.equal((await readCustomTable(sensors, { version: before.version })).length, 150, "time travel to the version before the change");
  for (const f of after.files.values()) assert.match(decodeURIComponent(f.path), /^source=iot_sensors\/data_type=iot\/date=2026-11-28\//);

  // Logs: one table per (source, type), partitioned the same way.
  const logs = await readCustomTable(lake.table("custom.app_logs.logs"));
  assert.equal(logs.length, 100);
  assert.ok(logs.every((x) => typeof x.level === "string" && typeof x.message === "string" && typeof x._event_time === "number"));

  // The conflict went to the DLQ with its reason and the record.
  const dead = await dlqMessages(jsm);
  assert.equal(dead.length, 1);
  assert.equal(dead[0]!.subject, "dlq.schema_conflict");
  assert.equal(dead[0]!.body.field, "temperature_c");
  assert.match(String(dead[0]!.body.message), /custom\.iot_sensors\.iot: column temperature_c is double, the record has a string/);
  assert.match(String(dead[0]!.body.raw), /very hot/);

  // An independent reader (DuckDB, by column name across both file schemas) sees the same table.
  const files = [...after.files.values()].map((f) => `'${join(s.dir, "lake", "custom.iot_sensors.iot", decodeURIComponent(f.path))}'`);
  const [duck] = await duckQuery(`SELECT count(*)::INT AS n, count(battery_pct)::INT AS with_battery FROM read_parquet([${files.join(",")}], union_by_name = true)`);
  assert.deepEqual(duck, { n: 300, with_battery: 150 });
  assert.deepEqual(r.router.status().deadLetters, { schema_conflict: 1 });

  // The catalogue the dashboard reads: tables, row counts from stats, partitions, columns.
  const catalogue = await describeCustomTables(lake);
  assert.deepEqual(
    catalogue.map((t) => [t.name, t.rows, t.sources, t.dataTypes, t.dates]),
    [
      ["custom.app_logs.logs", 100, ["app_logs"], ["logs"], ["2026-11-28"]],
      ["custom.iot_sensors.iot", 300, ["iot_sensors"], ["iot"], ["2026-11-28"]],
    ],
  );
  assert.ok(catalogue[1]!.columns.some((c) => c.name === "battery_pct" && c.type === "double" && c.nullable));
});

test("a replay of the whole CUSTOM stream (consumer lost) adds no row, trade or dead letter twice", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  const jsm = await jetstreamManager(s.probe);
  const prices = [...take(companyPrices({ startTime: T, seed: 4 }), 30)];
  assert.equal((await postRecords(s.server.url, "acme", ACME_KEY, prices)).status, 202);
  publishAll(s.probe, "ingest.plant.iot", iotReadings({ startTime: T, seed: 5, upgradeAfter: 20 }), 40, 4);
  s.probe.publish("ingest.plant.iot", enc.encode("not json"));
  await s.probe.flush();
  {
    await using r = await startRouter(s, lake);
    await routed(r.router, jsm);
  }
  const counts = async () => ({
    trades: (await allTrades(jsm)).length,
    rows: (await readCustomTable(lake.table("custom.plant.iot"))).length,
    dlq: (await dlqMessages(jsm)).length,
  });
  const first = await counts();
  assert.deepEqual(first, { trades: 30, rows: 40, dlq: 1 });

  // The durable consumer is gone: the next router starts from sequence 1.
  await jsm.consumers.delete("CUSTOM", "custom-router");
  publishAll(s.probe, "ingest.plant.iot", iotReadings({ startTime: T + 10_000, seed: 6 }), 8, 4);
  await s.probe.flush();
  await using r2 = await startRouter(s, lake);
  await routed(r2.router, jsm);
  await r2.publisher.flush();
  assert.deepEqual(await counts(), { trades: 30, rows: 48, dlq: 1 });
  assert.equal(r2.publisher.status().duplicatesDropped, 30, "the replayed trades were recognised by id");
});

test("a company's own instruments get bars, features and predictions from the SymbolActor logic", async () => {
  await using s = await startStack();
  const jsm = await jetstreamManager(s.probe);
  await using r = await startRouter(s, Lake.open(join(s.dir, "lake")));
  // 3 instruments, one price per second each for 5 minutes of trade time, posted in batches of 50.
  const prices = [...take(companyPrices({ startTime: T, stepMs: 1000 / 3, seed: 8 }), 900)];
  for (let i = 0; i < prices.length; i += 50) assert.equal((await postRecords(s.server.url, "acme", ACME_KEY, prices.slice(i, i + 50))).status, 202);
  await routed(r.router, jsm);
  await r.publisher.flush();

  const trades = (await allTrades(jsm)).filter((t) => t.symbol === "ACME_GADGET");
  assert.equal(trades.length, 300);
  const state = createSymbolState("ACME_GADGET");
  const bars: SilverBar[] = [];
  let invalid = 0;
  for (const t of trades) {
    for (const e of transition(state, { type: "trades", seq: t.tradeId, trades: [t] }, t.ingestTime).effects) {
      if (e.type === "publish-bar") bars.push(e.bar);
      if (e.type === "invalid-trade") invalid++;
    }
  }
  assert.equal(invalid, 0);
  assert.ok(bars.length >= 25, `${bars.length} bars over 5 minutes of 30 s windows sliding 10 s`);
  const last = bars[bars.length - 1]!;
  assert.equal(last.symbol, "ACME_GADGET");
  assert.ok(last.features !== null && Number.isFinite(last.features.ma_10), "features once warmed up");
  assert.ok(last.prediction !== null && last.prediction > 0, "a prediction (the naive model until a champion exists)");
  assert.equal(state.counters.duplicates, 0);
});

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) yield it.next().value as T;
}
