/** Pure pieces of the control plane and the quality command: table tests, no servers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { auditEntryOf, commandsFromReply, decodeLogRecord, dlqReason, LogForwarder, logSubject, matchesLogFilter, MalformedAuditRecord } from "../../src/control/index.js";
import { parseQualityArgs } from "../../src/quality/index.js";
import type { LogRecord } from "../../src/runtime/log.js";

test("auditEntryOf maps results and keeps the stream position", () => {
  const base = { at: "2026-01-02T03:04:05.000Z", nodeId: "n1", caller: "ops@host", command: "quality", args: ["--all"] };
  const cases = [["ok", "succeeded"], ["rejected", "refused"], ["failed", "failed"]] as const;
  for (const [result, outcome] of cases) {
    const e = auditEntryOf({ ...base, result }, 42);
    assert.equal(e.outcome, outcome);
    assert.deepEqual(e.args, { argv: ["--all"], stream: "AUDIT", streamSeq: 42 });
    assert.equal(e.principal, "ops@host");
    assert.equal(e.at!.toISOString(), base.at);
  }
  assert.throws(() => auditEntryOf({ ...base, result: "maybe" as never }, 1), MalformedAuditRecord);
  assert.throws(() => auditEntryOf({ ...base, at: "yesterday", result: "ok" }, 1), /bad time/);
  assert.throws(() => auditEntryOf(null as never, 1), MalformedAuditRecord);
});

test("commandsFromReply reads a node's commands from an unknown-command reply or a listing", () => {
  assert.deepEqual(commandsFromReply({ ok: false, nodeId: "a", command: "help", code: "unknown-command", error: 'unknown command "help" (known: status, quality, lake)' }), { nodeId: "a", commands: ["lake", "quality", "status"], error: null });
  assert.deepEqual(commandsFromReply({ ok: true, nodeId: "b", command: "help", result: { commands: ["z", "a"] } }), { nodeId: "b", commands: ["a", "z"], error: null });
  assert.deepEqual(commandsFromReply({ ok: false, nodeId: "c", command: "help", code: "unauthorized", error: "unauthorized: ..." }), { nodeId: "c", commands: [], error: "unauthorized: ..." });
});

test("dlqReason: header, payload reason, else the subject", () => {
  assert.equal(dlqReason({ subject: "dlq.invalid_price", data: '{"reason":"price must be positive"}', headers: {} }), "price must be positive");
  assert.equal(dlqReason({ subject: "dlq.invalid_price", data: "{}", headers: { "Tickhouse-Reason": "from header" } }), "from header");
  assert.equal(dlqReason({ subject: "dlq.undecodable", data: "{not json", headers: {} }), "undecodable");
  assert.equal(dlqReason({ subject: "dlq.x", data: '{"reason":{"code":"E1"}}', headers: {} }), '{"code":"E1"}');
  assert.equal(dlqReason({ subject: "dlq.missing_field", data: '{"reason":"missing_field","message":"price is required"}', headers: {} }), "missing_field: price is required");
});

test("log filters: level floor, components, nodes, text in message or fields", () => {
  const r: LogRecord = { at: "t", level: "warn", node: "n1", component: "quality", message: "check price FAILED", fields: { reportId: "q-1" } };
  const cases: [Parameters<typeof matchesLogFilter>[1], boolean][] = [
    [{}, true],
    [{ level: "info" }, true],
    [{ level: "error" }, false],
    [{ components: ["quality"] }, true],
    [{ components: ["ingest"] }, false],
    [{ nodes: ["n2"] }, false],
    [{ text: "failed" }, true],
    [{ text: "q-1" }, true],
    [{ text: "nothing" }, false],
  ];
  for (const [f, expected] of cases) assert.equal(matchesLogFilter(r, f), expected, JSON.stringify(f));
  assert.equal(decodeLogRecord(new TextEncoder().encode(JSON.stringify(r)))?.message, r.message);
  assert.equal(decodeLogRecord(new TextEncoder().encode('{"level":"loud"}')), null);
});

test("LogForwarder buffers until attached (bounded), then publishes to events.log.<node>", () => {
  const published: [string, string][] = [];
  const fake = { isClosed: () => false, publish: (s: string, d: Uint8Array) => published.push([s, new TextDecoder().decode(d)]) } as unknown as NatsConnection;
  const f = new LogForwarder("node-1", { bufferLimit: 2 });
  const rec = (message: string, level: LogRecord["level"] = "info"): LogRecord => ({ at: "t", level, node: "node-1", component: "c", message });
  f.sink(rec("a"));
  f.sink(rec("debug line", "debug"));
  f.sink(rec("b"));
  f.sink(rec("c"));
  assert.deepEqual(f.stats(), { forwarded: 0, dropped: 1, buffered: 2 });
  f.attach(fake);
  f.sink(rec("d"));
  assert.deepEqual(published.map(([s, d]) => [s, (JSON.parse(d) as LogRecord).message]), [["events.log.node-1", "b"], ["events.log.node-1", "c"], ["events.log.node-1", "d"]]);
  assert.throws(() => logSubject("bad.node"), /subject token/);
});

test("quality command arguments", () => {
  const now = Date.parse("2026-01-02T00:00:00Z");
  assert.deepEqual(parseQualityArgs([], now), { type: "run", sinceMs: undefined });
  assert.deepEqual(parseQualityArgs(["run", "--all"], now), { type: "run", sinceMs: null });
  assert.deepEqual(parseQualityArgs(["--since", "2h"], now), { type: "run", sinceMs: now - 7_200_000 });
  assert.deepEqual(parseQualityArgs(["--since", "2025-12-31T00:00:00Z"], now), { type: "run", sinceMs: Date.parse("2025-12-31T00:00:00Z") });
  assert.deepEqual(parseQualityArgs(["--since", "1767225600000"], now), { type: "run", sinceMs: 1767225600000 });
  assert.deepEqual(parseQualityArgs(["status"], now), { type: "status" });
  assert.deepEqual(parseQualityArgs(["reports", "5"], now), { type: "reports", limit: 5 });
  assert.throws(() => parseQualityArgs(["--since", "soon"], now), /ISO time/);
  assert.throws(() => parseQualityArgs(["--bogus"], now), /unknown quality argument/);
  assert.throws(() => parseQualityArgs(["reports", "0"], now), /1 to 500/);
});
