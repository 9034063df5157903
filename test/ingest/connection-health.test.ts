import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { WebSocketServer } from "ws";
import { BinanceStreamClient } from "../../src/ingest/client.js";
import {
  OFFLINE_HINT,
  classifyConnectionFailure,
  connectionProblemMessage,
  nextHealth,
  type ConnectionHealth,
  type FailureReport,
  type HealthEvent,
} from "../../src/ingest/connection-health.js";
import { createLogger, type LogRecord } from "../../src/runtime/log.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";

const cases: Array<[string, FailureReport, string, RegExp]> = [
  ["DNS: no such host", { error: { code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND x" }, closeCode: 1006, opened: false }, "dns", /DNS lookup failed \(ENOTFOUND\)/],
  ["DNS: no resolver (offline)", { error: { code: "EAI_AGAIN" }, closeCode: 1006, opened: false }, "dns", /EAI_AGAIN/],
  ["refused", { error: { code: "ECONNREFUSED" }, closeCode: 1006, opened: false }, "refused", /connection refused/],
  ["refused, every address (AggregateError)", { error: { message: "", errors: [{ code: "ECONNREFUSED" }, { code: "ECONNREFUSED" }] }, closeCode: 1006, opened: false }, "refused", /ECONNREFUSED/],
  ["TCP timeout", { error: { code: "ETIMEDOUT" }, closeCode: 1006, opened: false }, "timeout", /timed out/],
  ["handshake timeout", { error: { message: "Opening handshake has timed out" }, closeCode: 1006, opened: false }, "timeout", /timed out/],
  ["TLS certificate", { error: { code: "CERT_HAS_EXPIRED" }, closeCode: 1006, opened: false }, "tls", /TLS handshake failed/],
  ["TLS host name", { error: { code: "ERR_TLS_CERT_ALTNAME_INVALID" }, closeCode: 1006, opened: false }, "tls", /ALTNAME/],
  ["HTTP status on upgrade", { error: { message: "Unexpected server response: 451" }, closeCode: 1006, opened: false }, "http-status", /HTTP 451/],
  ["network unreachable", { error: { code: "ENETUNREACH" }, closeCode: 1006, opened: false }, "network", /network unreachable/],
  ["TCP accepted then closed", { error: { code: "ECONNRESET", message: "socket hang up" }, closeCode: 1006, opened: false }, "abnormal-close", /before the WebSocket handshake/],
  ["open socket dropped (1006)", { closeCode: 1006, opened: true }, "abnormal-close", /without a close frame \(code 1006\)/],
  ["server close frame", { closeCode: 1008, closeReason: "too many requests", opened: true }, "closed", /code 1008 policy violation: too many requests/],
  ["cut by our watchdog", { closeCode: 1006, opened: true, localReason: "silent" }, "silent", /no frame or ping/],
  ["anything else", { error: { message: "boom" }, closeCode: 1006, opened: false }, "abnormal-close", /code 1006/],
];

test("classifyConnectionFailure names the cause", () => {
  for (const [name, report, kind, text] of cases) {
    const failure = classifyConnectionFailure(report);
    assert.equal(failure.kind, kind, name);
    assert.match(failure.text, text, name);
  }
});

test("the offline hint is given for Binance's default host only", () => {
  const refused = classifyConnectionFailure({ error: { code: "ECONNREFUSED" }, closeCode: 1006, opened: false });
  const binance = connectionProblemMessage("wss://stream.binance.com:9443", refused);
  assert.match(binance, /stream\.binance\.com:9443: connection refused/);
  assert.ok(binance.includes(OFFLINE_HINT));
  assert.ok(OFFLINE_HINT.includes("Binance unreachable? Offline, try `npm run demo` (a local synthetic market)"));
  const local = connectionProblemMessage("ws://127.0.0.1:9999", refused);
  assert.match(local, /127\.0\.0\.1:9999: connection refused/);
  assert.ok(!local.includes("npm run demo"));
});

test("nextHealth logs once per state change, counts repeats", () => {
  const refused: HealthEvent = { type: "failed", failure: { kind: "refused", text: "connection refused" } };
  const dns: HealthEvent = { type: "failed", failure: { kind: "dns", text: "DNS lookup failed" } };
  const opened: HealthEvent = { type: "opened" };
  let h: ConnectionHealth = { state: "starting" };
  const logs: string[] = [];
  for (const e of [opened, refused, refused, refused, dns, dns, opened, opened, refused]) {
    const next = nextHealth(h, e);
    h = next.health;
    if (next.log) logs.push(next.log.level === "warn" ? `warn ${next.log.failure.kind}` : `info ${next.log.failedAttempts}`);
  }
  assert.deepEqual(logs, ["warn refused", "warn dns", "info 5", "warn refused"]);
  assert.deepEqual(h, { state: "failing", kind: "refused", cause: "connection refused", failedAttempts: 1 });
});

test("a real client logs one WARN per cause (refused, then accepted-and-closed) and one INFO when connected again", async () => {
  const port = await freePort();
  const records: LogRecord[] = [];
  const log = createLogger({ node: "t", level: "debug", write: () => {}, sink: (r) => records.push(r) }).child("ingest");
  const sink = { trade() {}, invalid() {} };
  const client = new BinanceStreamClient({ baseUrl: `ws://127.0.0.1:${port}`, symbols: ["BTCUSDT"], sink, log, backoff: { initialMs: 10, maxMs: 40, factor: 2, jitter: 0 } });
  const warns = () => records.filter((r) => r.level === "warn");
  client.start();
  try {
    // Nothing listens: refused, attempt after attempt.
    await waitFor(() => client.status().reconnects >= 4, { what: "4 refused attempts" });
    assert.equal(warns().length, 1, JSON.stringify(warns()));
    assert.equal(warns()[0]!.fields?.cause, "refused");
    assert.equal(warns()[0]!.component, "ingest");
    assert.match(warns()[0]!.message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
    assert.ok(!warns()[0]!.message.includes("npm run demo"), "no Binance hint for a local URL");

    // Something accepts TCP and hangs up: a new cause, one more line, however many attempts.
    let accepted = 0;
    const tcp = createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((resolve) => tcp.listen(port, "127.0.0.1", resolve));
    await waitFor(() => accepted >= 4, { what: "4 accepted-and-closed attempts" });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    assert.equal(warns().length, 2, JSON.stringify(warns()));
    assert.equal(warns()[1]!.fields?.cause, "abnormal-close");
    assert.match(warns()[1]!.message, /connection dropped before the WebSocket handshake completed/);

    // A WebSocket server: connected again, one INFO line, no further WARN.
    const wss = new WebSocketServer({ port, host: "127.0.0.1" });
    try {
      const info = await waitFor(() => records.find((r) => r.level === "info" && r.message.startsWith("connected again")), { what: "connected again" });
      const attempts = Number(/after (\d+) failed attempts/.exec(info.message)?.[1]);
      assert.ok(attempts >= 8, info.message);
      assert.equal(warns().length, 2);
      assert.equal(records.filter((r) => r.message.startsWith("connected again")).length, 1);
    } finally {
      client.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  } finally {
    client.stop();
  }
});
