/**
 * The control plane's read side against a real node: the live log tail across nodes with level
 * and component filters (and the WebSocket subscription), the log browser (streams, consumers
 * with pending/ack lag, subjects, last messages, dead letters with reasons) and the data page
 * (tables with row counts, schema history, latest rows), after a quality run that quarantined rows.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { callAdmin } from "../../src/admin/client.js";
import { LogForwarder } from "../../src/control/index.js";
import { createLogger, type LogRecord } from "../../src/runtime/log.js";
import type { QualityRunReport } from "../../src/quality/index.js";
import { localAdminToken } from "../../src/admin/auth.js";
import { waitFor } from "../helpers/wait.js";
import { startControlStack } from "./fixtures.js";
import { BTC, BTC_NOW, seedBtc } from "./seed.js";

test("log tail, log browser and data catalogue", async () => {
  await using stack = await startControlStack({ seedLake: (l) => seedBtc(l, { zeroPriceBars: [12, 30] }), now: () => BTC_NOW });
  const token = localAdminToken(stack.dataDir);

  // Live tail over WebSocket: subscribe first, then run the gate; its lines arrive as they are logged.
  const live = stack.liveClient();
  const seen: LogRecord[] = [];
  const sub = live.trpc.control.logs$.subscribe({ filter: { components: ["quality"] } }, { onData: (e) => seen.push(e.data) });
  try {
    const [r] = await callAdmin(stack.nc, "quality", ["--all"], { token, timeoutMs: 30_000 });
    assert.ok(r?.ok);
    const report = r.result as QualityRunReport;
    assert.equal(report.status, "FAILED");
    assert.equal(report.quarantined, 2);
    await waitFor(() => seen.some((l) => l.message.startsWith(`quality run ${report.reportId} FAILED`)), { timeoutMs: 20_000, what: "the run's last line on the live tail" });
    assert.ok(seen.every((l) => l.component === "quality" && l.node === "node-q1"));
    assert.ok(seen.some((l) => l.level === "error" && l.message.includes("check price on silver_bars: FAILED (2 of")));
  } finally {
    sub.unsubscribe();
    live.close();
  }

  // A second node's lines reach the same tail; level filter.
  const other = await connect({ servers: stack.server.url });
  const fwd = new LogForwarder("node-b");
  fwd.attach(other);
  const log = createLogger({ node: "node-b", level: "debug", component: "ingest", write: () => {}, sink: fwd.sink });
  log.debug("not forwarded below info");
  log.warn("binance socket silent for 30 s");
  await other.flush();
  const c = stack.client();
  const tail = await waitFor(async () => {
    const t = await c.control.logs.query({ filter: { level: "warn" }, limit: 500 });
    return t.entries.some((e) => e.record.node === "node-b") ? t : undefined;
  }, { what: "node-b's warning in the tail" });
  assert.ok(tail.entries.every((e) => e.record.level === "warn" || e.record.level === "error"));
  assert.ok(tail.facets.nodes.includes("node-b") && tail.facets.nodes.includes("node-q1"));
  assert.ok(tail.facets.components.includes("quality"));
  assert.ok(!(await c.control.logs.query({ filter: {}, limit: 2000 })).entries.some((e) => e.record.message === "not forwarded below info"));
  await other.close();

  // Log browser.
  await stack.nc.publish("dlq.invalid_price", new TextEncoder().encode(JSON.stringify({ reason: "price must be positive", record: { s: "BTCUSDT", p: "-1" } })));
  await stack.nc.publish("dlq.undecodable", new TextEncoder().encode("{not json"));
  await stack.nc.flush();
  const { streams, consumers } = await c.control.streams.query();
  const events = streams.find((s) => s.name === "EVENTS")!;
  assert.ok(events.messages > 0 && events.lastSeq >= events.messages);
  const audit = await waitFor(async () => (await c.control.streams.query()).consumers.find((x) => x.name === "control-audit" && x.pending === 0 && x.ackPending === 0), { what: "audit consumer caught up" });
  assert.equal(audit.ackLag, 0);
  assert.equal(audit.filterSubject, "audit.admin.>");
  assert.ok(consumers.length >= 1);
  const subjects = await c.control.subjects.query({ stream: "EVENTS" });
  assert.ok(subjects.some((s) => s.subject === "events.quality.report" && s.messages === 1));
  assert.ok(subjects.some((s) => s.subject === "events.log.node-q1"));
  const last = await c.control.messages.query({ stream: "EVENTS", subject: "events.quality.report", limit: 5 });
  assert.equal(last.length, 1);
  assert.equal((JSON.parse(last[0]!.data) as QualityRunReport).status, "FAILED");
  const logs = await c.control.messages.query({ stream: "EVENTS", subject: "events.log.>", limit: 3 });
  assert.equal(logs.length, 3);
  assert.ok(logs[0]!.seq > logs[1]!.seq, "newest first");
  const dlq = await c.control.deadLetters.query({ limit: 10 });
  assert.deepEqual(dlq.map((d) => d.reason), ["undecodable", "price must be positive"]);
  const reports = await c.control.qualityReports.query({ limit: 5 });
  assert.equal(reports[0]!.status, "FAILED");

  // Data catalogue.
  const { tables } = await c.control.tables.query();
  const byName = new Map(tables.map((t) => [t.name, t]));
  assert.equal(byName.get("bronze_trades")!.rows, BTC.length);
  assert.deepEqual(byName.get("bronze_trades")!.sources, [{ source: "binance", dataType: null, rows: BTC.length }]);
  assert.equal(byName.get("quarantine")!.rows, 2);
  assert.equal(byName.get("quarantine")!.kind, "quarantine");
  const q = await c.control.table.query({ name: "quarantine", limit: 10 });
  assert.equal(q.rows.length, 2);
  assert.ok(q.rows.every((r) => r.rule === "price_not_positive" && r.source_table === "silver_bars" && typeof r.log_seq === "number"));
  assert.equal(q.schemaHistory.length, 1);
  assert.ok(q.schemaHistory[0]!.columns.some((col) => col.name === "row_json"));
  const silver = await c.control.table.query({ name: "silver_bars", limit: 3 });
  assert.equal(silver.rows.length, 3);
  await assert.rejects(c.control.table.query({ name: "nope" }), /no lake table/);
});
