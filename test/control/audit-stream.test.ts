/**
 * The audit trail has a stream of its own (issue 12, finding 4): a flood of log lines that fills
 * EVENTS, or a flood of refusals, pushes out no record of a command that ran before the audit
 * writer has stored it; and a refused record leaves its publisher clipped, never with the 25 KB
 * of text the caller sent. Real nats-server and PostgreSQL.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { AdminAuth } from "../../src/admin/auth.js";
import { callAdmin } from "../../src/admin/client.js";
import { AuditPublisher } from "../../src/admin/audit-publish.js";
import { broadcastSubject, LEGACY_AUDIT_SUBJECT, type AuditRecord } from "../../src/admin/protocol.js";
import { AdminService } from "../../src/admin/service.js";
import { migrate } from "../../src/db/index.js";
import { listAudit } from "../../src/db/registry/operations.js";
import { startAuditWriter, startControlServices } from "../../src/control/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { bootstrap, platformLogSpec, STREAMS } from "../../src/runtime/nats/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { postgresBackend } from "../db/fixtures.js";

const TOKEN = "tok_" + "audit-stream".repeat(3);
const KIB = 1024;
const noise = (n: number) => randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n); // incompressible text
/** What an unauthenticated caller can send: 50 arguments of 500 characters. */
const bigArgs = () => Array.from({ length: 50 }, () => noise(500));
const encoder = new TextEncoder();

/** An unsigned request: refused, and audited with everything the caller put in it. */
async function refusedRequest(nc: NatsConnection): Promise<void> {
  const reply = await nc.request(broadcastSubject("touch"), encoder.encode(JSON.stringify({ caller: noise(5_000), onBehalfOf: noise(500), args: bigArgs() })), { timeout: 5_000 });
  assert.match(new TextDecoder().decode(reply.data), /not signed/);
}

test("log lines that fill EVENTS and refusals past their cap push out no record of a command that ran", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url, name: "audit-node" });
  const client = await connect({ servers: server.url, name: "audit-client" });
  // Small limits, so the flood overflows them quickly: EVENTS keeps 64 KiB; AUDIT 16 KiB, which 45
  // clipped refusals (about 500 bytes each) would overflow, but they may keep only 20.
  const small = platformLogSpec({ events: { maxAgeMs: 0, maxBytes: 64 * KIB }, audit: { maxAgeMs: 0, maxBytes: 16 * KIB, maxMsgsPerSubject: 20 } });
  await bootstrap(node, small.filter((s) => s.name === STREAMS.events || s.name === STREAMS.audit), { replicas: 1 });
  const admin = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"));
  admin.register("touch", (args) => `touched ${args.join(" ")}`);
  admin.start();
  await using db = await postgresBackend().open();
  await migrate(db);
  try {
    // The writer is down (a node restarting, PostgreSQL away) while commands run amid a flood.
    const runs = 15;
    for (let i = 0; i < runs; i++) {
      const [reply] = await callAdmin(client, "touch", [`run-${i}`], { token: TOKEN, timeoutMs: 5_000 });
      assert.ok(reply?.ok, JSON.stringify(reply));
      for (let r = 0; r < 3; r++) await refusedRequest(client);
      for (let l = 0; l < 10; l++) node.publish("events.log.n1", encoder.encode(JSON.stringify({ level: "info", message: noise(2 * KIB) })));
    }
    const [last] = await callAdmin(client, "touch", ["last"], { token: TOKEN, timeoutMs: 5_000 });
    assert.ok(last?.ok, JSON.stringify(last));
    await node.flush();
    const events = await (await jetstreamManager(node)).streams.info(STREAMS.events);
    assert.ok(events.state.first_seq > 1, `the flood overflowed EVENTS (first seq ${events.state.first_seq})`);

    const log = createLogger({ node: "t", level: "error", write: () => {} });
    await using writer = await startAuditWriter({ nc: node, db, log });
    const ran = () => listAudit(db, 1_000).then((rows) => rows.filter((r) => r.outcome === "succeeded").map((r) => (r.args as { argv: string[] }).argv.join(" ")));
    // Records are stored in stream order: once "last" is in, everything before it that survived is too.
    await waitFor(async () => (await ran()).includes("last"), { timeoutMs: 60_000, what: "the last command's audit row" });
    assert.deepEqual((await ran()).sort(), [...Array.from({ length: runs }, (_, i) => `run-${i}`), "last"].sort(), "every command that ran has its row");
    assert.equal(writer.stats().malformed, 0);
  } finally {
    await admin[Symbol.asyncDispose]();
    await client.close();
    await node.close();
  }
});

test("a refused record is published clipped, by a node and by the web server; a command that ran goes out whole", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url, name: "audit-node" });
  const client = await connect({ servers: server.url, name: "audit-client" });
  await bootstrap(node, platformLogSpec().filter((s) => s.name === STREAMS.events || s.name === STREAMS.audit), { replicas: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), "audit-stream-"));
  const admin = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"));
  admin.start();
  const services = await startControlServices({ nc: node, adminTokens: [TOKEN], dataDir, webId: "web-1" });
  const published: { subject: string; size: number; record: AuditRecord }[] = [];
  // Anything that looks like an audit record, on the subject it travels on today or did before.
  client.subscribe(">", {
    callback: (_err, m) => {
      if (/^audit\.|\.audit$/.test(m.subject)) published.push({ subject: m.subject, size: m.data.length, record: JSON.parse(new TextDecoder().decode(m.data)) as AuditRecord });
    },
  });
  await client.flush();
  try {
    await refusedRequest(client);
    services.auditRefusal({ caller: `web@${noise(5_000)}`, onBehalfOf: noise(500), keyId: noise(200), command: noise(300), args: bigArgs(), detail: noise(10_000) });
    const forwarded = bigArgs();
    services.auditForwarded({ caller: "web@127.0.0.1", onBehalfOf: "web:local@127.0.0.1", keyId: "k1", command: "replay", args: forwarded, result: "ok" });
    await node.flush();
    await waitFor(() => published.length >= 3, { what: "three audit records" });

    const refused = published.filter((p) => p.record.result === "rejected");
    assert.deepEqual(refused.map((p) => p.record.nodeId).sort(), ["n1", "web-1"]);
    for (const { subject, size, record } of refused) {
      assert.ok(size < 1_200, `${record.nodeId}'s refused record is ${size} bytes on ${subject}`);
      assert.equal(record.args.length, 3);
      assert.equal(record.argc, 50, "how many arguments there were is kept");
      assert.equal(subject, "audit.admin.rejected");
    }
    const ok = published.find((p) => p.record.result === "ok");
    assert.deepEqual(ok?.record.args, forwarded, "a command that ran keeps its arguments whole");
    assert.equal(ok?.subject, "audit.admin.ok");
  } finally {
    await services.close();
    await admin[Symbol.asyncDispose]();
    await client.close();
    await node.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("an upgrade keeps EVENTS and stores what the old writer's durable still holds there, beside the AUDIT stream's records", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url, name: "audit-node" });
  const jsm = await jetstreamManager(node);
  // The deployment as it was: EVENTS held the audit records, read by the writer's durable there.
  await jsm.streams.add({ name: STREAMS.events, subjects: ["events.>"], description: "model promotions, quality reports, admin audit, logs" });
  await jsm.consumers.add(STREAMS.events, { durable_name: "control-audit", filter_subject: LEGACY_AUDIT_SUBJECT, ack_policy: AckPolicy.Explicit });
  const old = (result: AuditRecord["result"], caller: string): AuditRecord => ({ at: new Date().toISOString(), nodeId: "old-node", caller, command: "replay", args: [caller], result });
  for (const r of [old("ok", "before-upgrade"), old("rejected", "refused-before-upgrade")]) node.publish(LEGACY_AUDIT_SUBJECT, encoder.encode(JSON.stringify(r)));
  node.publish("events.log.old-node", encoder.encode("{}"));
  await node.flush();

  const results = await bootstrap(node, platformLogSpec().filter((s) => s.name === STREAMS.events || s.name === STREAMS.audit), { replicas: 1 });
  assert.deepEqual(results.map((r) => [r.name, r.action]), [[STREAMS.events, "updated"], [STREAMS.audit, "created"]]);
  assert.equal((await jsm.streams.info(STREAMS.events)).state.messages, 3, "EVENTS keeps its messages");
  // The same stream sequences (1 and 2) in AUDIT: each stream's records are told apart.
  const audits = new AuditPublisher(node);
  assert.ok(await audits.publish({ ...old("ok", "after-upgrade"), nodeId: "new-node" }));
  assert.ok(await audits.publish({ ...old("rejected", "refused-after-upgrade"), nodeId: "new-node" }));

  await using db = await postgresBackend().open();
  await migrate(db);
  const log = createLogger({ node: "t", level: "error", write: () => {} });
  await using writer = await startAuditWriter({ nc: node, db, log });
  await waitFor(() => writer.stats().written === 4, { what: "four audit records written" });
  const rows = (await listAudit(db, 100)).map((r) => [r.principal, r.outcome, (r.args as { stream: string }).stream, (r.args as { streamSeq: number }).streamSeq]);
  assert.deepEqual(rows.sort(), [
    ["after-upgrade", "succeeded", STREAMS.audit, 1],
    ["before-upgrade", "succeeded", STREAMS.events, 1],
    ["refused-after-upgrade", "refused", STREAMS.audit, 2],
    ["refused-before-upgrade", "refused", STREAMS.events, 2],
  ]);
  assert.deepEqual(writer.stats(), { written: 4, duplicates: 0, malformed: 0, failures: 0, lastError: null });
  await node.close();
});
