/**
 * Admin auth and audit, end to end: the `quality` command over NATS and through the web server is
 * rejected without a token and accepted with one; every attempt lands once in PostgreSQL's
 * admin_audit (through the EVENTS stream and the durable audit writer), whoever refused it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { TRPCClientError } from "@trpc/client";
import { callAdmin } from "../../src/admin/client.js";
import { listAudit, listQualityReports } from "../../src/db/index.js";
import { auditEntryOf, ControlAuth, startAuditWriter, writeAuditOnce } from "../../src/control/index.js";
import { localAdminToken } from "../../src/admin/auth.js";
import { createLogger } from "../../src/runtime/log.js";
import type { QualityRunReport } from "../../src/quality/index.js";
import { waitFor } from "../helpers/wait.js";
import { startControlStack } from "./fixtures.js";
import { BTC_NOW, seedBtc } from "./seed.js";

const TOKEN = "tok_" + "a".repeat(28);

test("admin commands need a token: rejected without, accepted with, each audited exactly once", async () => {
  await using stack = await startControlStack({ adminTokens: [TOKEN], seedLake: (l) => seedBtc(l), now: () => BTC_NOW });

  const denied = await callAdmin(stack.nc, "quality", ["--all"], { timeoutMs: 5_000 });
  assert.equal(denied.length, 1);
  assert.ok(!denied[0]!.ok && denied[0]!.code === "unauthorized");

  const wrongLocal = await callAdmin(stack.nc, "quality", ["--all"], { token: localAdminToken(stack.dataDir), timeoutMs: 5_000 });
  assert.ok(!wrongLocal[0]!.ok, "with ADMIN_TOKENS configured the local token file is not accepted");

  const [ok] = await callAdmin(stack.nc, "quality", ["--all"], { token: TOKEN, timeoutMs: 30_000 });
  assert.ok(ok?.ok, JSON.stringify(ok));
  const report = ok!.result as QualityRunReport;
  assert.equal(report.status, "PASSED", JSON.stringify(report.checks.filter((c) => c.status !== "PASSED")));
  // Nine data checks, plus the reconciliation of the log with bronze_trades and silver_bars.
  assert.equal(report.checks.length, 11);
  assert.deepEqual(report.checks.filter((c) => c.check === "reconcile").map((c) => c.table).sort(), ["bronze_trades", "silver_bars"]);

  // Through the web server: no token → UNAUTHORIZED (audited by the web server); with it → the node answers.
  await assert.rejects(stack.client().control.run.mutate({ command: "quality", args: ["status"] }), (err: unknown) => err instanceof TRPCClientError && err.data?.code === "UNAUTHORIZED");
  await assert.rejects(stack.client("nope").control.run.mutate({ command: "quality", args: ["status"] }), (err: unknown) => err instanceof TRPCClientError && err.data?.code === "UNAUTHORIZED");
  const viaWeb = await stack.client(TOKEN).control.run.mutate({ command: "quality", args: ["status"] });
  assert.ok(viaWeb.replies[0]!.ok);
  assert.equal((viaWeb.replies[0]!.ok && (viaWeb.replies[0]!.result as { lastReport: { reportId: string } }).lastReport.reportId), report.reportId);

  const expected = (rows: Awaited<ReturnType<typeof listAudit>>) => {
    // Refused attempts are counted in summary rows (audit-retention.test.ts): sum their attempts.
    const c = (nodeId: string, outcome: string) => rows.filter((r) => r.command === "quality" && r.nodeId === nodeId && r.outcome === outcome).reduce((n, r) => n + r.attempts, 0);
    return c("node-q1", "refused") === 2 && c("node-q1", "succeeded") === 2 && c("web-test", "refused") === 2 && c("web-test", "succeeded") === 1;
  };
  const rows = await waitFor(async () => {
    const r = await listAudit(stack.db, 100);
    return expected(r) ? r : undefined;
  }, { timeoutMs: 20_000, what: "the seven audited attempts in PostgreSQL" });
  const succeeded = rows.find((r) => r.outcome === "succeeded" && (r.args as { argv: string[] }).argv[0] === "--all")!;
  assert.ok(succeeded.principal.includes("@"), "who");
  assert.ok(new Date(succeeded.at).getTime() > 0, "when");
  const web = rows.find((r) => r.nodeId === "web-test" && r.outcome === "refused")!;
  assert.match(web.detail ?? "", /admin token/);
  // The web server's own record of the forwarded command names the requester, never the token.
  const forwarded = rows.find((r) => r.nodeId === "web-test" && r.outcome === "succeeded")!;
  assert.match(forwarded.principal, /^web:token-[0-9a-f]{8}@(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  assert.ok(!forwarded.principal.includes(TOKEN));
  assert.equal(forwarded.detail, "forwarded to 1 node(s), 1 ok");
  // The node's own record of it names the same requester: the web server signed on their behalf.
  const atNode = rows.find((r) => r.nodeId === "node-q1" && r.outcome === "succeeded" && (r.args as { argv: string[] }).argv[0] === "status")!;
  assert.equal((atNode.args as { onBehalfOf?: string }).onBehalfOf, forwarded.principal);

  // A second writer on the same durable (a restarted node) re-reads nothing twice, and a redelivered record is recognised.
  const log = createLogger({ node: "x", level: "error", write: () => {} });
  await using again = await startAuditWriter({ nc: stack.nc, db: stack.db, log });
  const seqs = rows.map((r) => (r.args as { streamSeq: number }).streamSeq);
  assert.equal(new Set(seqs).size, seqs.length, "one row per stream sequence");
  const first = rows[rows.length - 1]!;
  const dup = auditEntryOf({ at: new Date(first.at).toISOString(), nodeId: first.nodeId, caller: first.principal, command: first.command, args: (first.args as { argv: string[] }).argv, result: first.outcome === "succeeded" ? "ok" : first.outcome === "refused" ? "rejected" : "failed" }, (first.args as { streamSeq: number }).streamSeq);
  assert.equal(await writeAuditOnce(stack.db, dup as Parameters<typeof writeAuditOnce>[1]), false);
  await callAdmin(stack.nc, "quality", ["status"], { token: TOKEN, timeoutMs: 5_000 });
  await waitFor(async () => (await listAudit(stack.db, 100)).length === rows.length + 1, { timeoutMs: 20_000, what: "the next record stored once" });
  const all = await listAudit(stack.db, 100);
  assert.equal(new Set(all.map((r) => (r.args as { streamSeq: number }).streamSeq)).size, all.length, "still one row per stream sequence");
  assert.equal(again.stats().duplicates, 0);
});

test("with no ADMIN_TOKENS, the web server accepts loopback callers and speaks to the nodes with the local token", async () => {
  // The CLI waits 3 s for answers: the node answers within 1.5 s, with the report or "running".
  await using stack = await startControlStack({ seedLake: (l) => seedBtc(l), now: () => BTC_NOW, replyWithinMs: 1_500 });
  const access = await stack.client().control.access.query();
  assert.deepEqual(access, { localOnly: true, allowed: true, reason: null });
  const r = await stack.client().control.run.mutate({ command: "quality", args: ["--all"], timeoutMs: 30_000 });
  assert.ok(r.replies[0]!.ok, JSON.stringify(r.replies[0]));

  // `npm run admin -- quality` from this machine: the CLI reads the local token file and prints the report.
  const cli = spawn(process.execPath, ["--import", "tsx", "src/cli/admin.ts", "--nats-url", stack.server.url, "--data-dir", stack.dataDir, "--json", "quality", "--all"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  cli.stdout.on("data", (d) => (out += d));
  cli.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
  assert.equal(code, 0, out);
  const [fromCli] = JSON.parse(out) as { ok: boolean; nodeId: string; result: { status?: string; state?: string; reportId: string } }[];
  assert.equal(fromCli!.nodeId, "node-q1");
  const reportId = fromCli!.result.reportId;
  const stored = await waitFor(async () => (await listQualityReports(stack.db)).find((r) => r.reportId === reportId && r.status !== "RUNNING"), { timeoutMs: 30_000, what: "the CLI's run stored" });
  assert.equal(stored.status, "PASSED");
  assert.match(stored.triggeredBy ?? "", /^admin:/);
  if (fromCli!.result.state !== "running") assert.equal(fromCli!.result.status, "PASSED");

  const commands = await stack.client().control.commands.query();
  assert.deepEqual(commands.nodes.map((n) => n.nodeId), ["node-q1"]);
  assert.ok(commands.nodes[0]!.commands.includes("quality") && commands.nodes[0]!.commands.includes("status"), JSON.stringify(commands));
});

test("ControlAuth decisions", () => {
  const local = new ControlAuth([], "/tmp/control-auth-test");
  const configured = new ControlAuth(["t1", "t2"], "/tmp/control-auth-test");
  const cases: [ControlAuth, string | null, string | null, boolean][] = [
    [local, "127.0.0.1", null, true],
    [local, "::1", null, true],
    [local, "::ffff:127.0.0.1", "whatever", true],
    [local, "10.1.2.3", null, false],
    [local, null, null, false],
    [configured, "127.0.0.1", null, false],
    [configured, "10.1.2.3", "t2", true],
    [configured, "10.1.2.3", "t3", false],
    [configured, "127.0.0.1", "t", false],
  ];
  for (const [auth, remoteAddress, token, allowed] of cases) assert.equal(auth.decide({ remoteAddress, token }).ok, allowed, `${remoteAddress} ${token}`);
  const d = configured.decide({ remoteAddress: "10.1.2.3", token: "t1" });
  assert.ok(d.ok && d.nodeToken === "t1" && !d.principal.includes("t1"), "the token itself never reaches the audit trail");
});
