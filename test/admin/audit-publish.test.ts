/**
 * Audit records are published with JetStream acknowledgement (issue 12): retried while the AUDIT
 * stream is missing, stored once when a retry follows a lost acknowledgement (message id), and,
 * when the stream never answers, given up with an ERROR line naming the record and a metric,
 * while the command's reply is not held back. Real nats-server; the JetStream client is wrapped
 * only to act at a given moment (create the stream, lose an ack).
 */
import { test } from "node:test";
import { hostname, userInfo } from "node:os";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { AdminAuth } from "../../src/admin/auth.js";
import { callAdmin } from "../../src/admin/client.js";
import { AuditPublisher, auditPublishStats } from "../../src/admin/audit-publish.js";
import type { AuditRecord } from "../../src/admin/protocol.js";
import { AdminService } from "../../src/admin/service.js";
import { forwardableRecord } from "../../src/control/index.js";
import { NodeMetrics } from "../../src/node/metrics.js";
import { bootstrap, platformLogSpec, STREAMS } from "../../src/runtime/nats/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

const TOKEN = "tok_" + "audit-publish".repeat(3);
const record = (caller: string): AuditRecord => ({ at: new Date().toISOString(), nodeId: "n1", caller, command: "replay", args: ["BTCUSDT"], result: "ok" });
const auditSpec = () => platformLogSpec().filter((s) => s.name === STREAMS.audit);

async function auditMessages(nc: Parameters<typeof jetstreamManager>[0]): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(STREAMS.audit)).state.messages;
}

test("the AUDIT stream missing at first, then created: the record is retried and stored once", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const real = jetstream(nc);
  let attempts = 0;
  // The stream appears between the first (refused: no stream) attempt and the retry.
  const js: Pick<JetStreamClient, "publish"> = {
    async publish(...a) {
      attempts += 1;
      try {
        return await real.publish(...a);
      } catch (err) {
        if (attempts === 1) await bootstrap(nc, auditSpec(), { replicas: 1 });
        throw err;
      }
    },
  };
  const retriesBefore = auditPublishStats.retries;
  const stored = await new AuditPublisher(nc, { js, retryDelaysMs: [10, 10, 10] }).publish(record("late-stream"));
  assert.equal(stored, true);
  assert.equal(attempts, 2, "refused once, then stored");
  assert.equal(auditPublishStats.retries - retriesBefore, 1);
  assert.equal(await auditMessages(nc), 1);
  await nc.close();
});

test("an acknowledgement lost after the stream stored the record: the retry carries the same message id and is not stored twice", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  await bootstrap(nc, auditSpec(), { replicas: 1 });
  const real = jetstream(nc);
  let attempts = 0;
  const js: Pick<JetStreamClient, "publish"> = {
    async publish(...a) {
      attempts += 1;
      const ack = await real.publish(...a);
      if (attempts === 1) throw new Error("TIMEOUT (the ack never arrived)");
      return ack;
    },
  };
  assert.equal(await new AuditPublisher(nc, { js, retryDelaysMs: [10] }).publish(record("lost-ack")), true);
  assert.equal(attempts, 2);
  assert.equal(await auditMessages(nc), 1, "the stream dropped the retry as a duplicate");
  await nc.close();
});

test("no AUDIT stream at all: the command is answered, then the record is given up with an ERROR naming it and counted in the node's metric", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url, name: "node" });
  const client = await connect({ servers: server.url, name: "client" });
  const errors: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const log = { error: (message: string, fields?: Record<string, unknown>) => void errors.push({ message, fields }) };
  // A node's retries outlast the test: the reply must come while they are still going.
  const slow = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"), () => {}, Date.now, new AuditPublisher(node, { log, retryDelaysMs: [600_000] }));
  slow.register("touch", (args) => ({ touched: args[0] }));
  slow.start();
  await node.flush();
  const [first] = await callAdmin(client, "touch", ["a"], { token: TOKEN, timeoutMs: 10_000 });
  assert.deepEqual(first, { ok: true, nodeId: "n1", command: "touch", result: { touched: "a" } });
  await slow[Symbol.asyncDispose]();

  const lostBefore = auditPublishStats.lost;
  const admin = new AdminService(node, "n2", AdminAuth.fromConfig([TOKEN], "/nonexistent"), () => {}, Date.now, new AuditPublisher(node, { log, retryDelaysMs: [10, 10] }));
  admin.register("touch", (args) => ({ touched: args[0] }));
  admin.start();
  await node.flush();
  const [reply] = await callAdmin(client, "touch", ["b"], { token: TOKEN, timeoutMs: 10_000, nodeId: "n2" });
  assert.equal(reply?.ok, true, "the command is answered");
  await waitFor(() => errors.length > 0, { timeoutMs: 30_000, what: "the ERROR line of the lost record" });
  const [lost] = errors;
  const caller = `${userInfo().username}@${hostname()}`;
  assert.match(lost!.message, /^audit record LOST: touch \(ok\) on n2 at \S+ was not stored in the AUDIT stream: /);
  assert.deepEqual([lost!.fields?.command, lost!.fields?.result, lost!.fields?.nodeId, (lost!.fields?.localOnly as { caller: string }).caller], ["touch", "ok", "n2", caller]);
  // The node's own output names the caller; the log forwarded to viewers does not.
  const forwarded = JSON.stringify(forwardableRecord({ at: "", level: "error", node: "n2", component: "audit", message: lost!.message, fields: lost!.fields }));
  assert.ok(forwarded.includes('"command":"touch"') && !forwarded.includes(caller), forwarded);
  assert.equal(auditPublishStats.lost - lostBefore, 1);
  const metrics = await new NodeMetrics({ processMetrics: false }).registry.metrics();
  assert.match(metrics, new RegExp(`^admin_audit_records_lost_total ${auditPublishStats.lost}$`, "m"));
  assert.ok(auditPublishStats.lost >= 1);
  await admin[Symbol.asyncDispose]();
  await client.close();
  await node.close();
});
