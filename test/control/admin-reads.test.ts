/**
 * With READ_TOKENS, a read token (a dashboard viewer) reads the log browser but not what only
 * admins may see (issue 12, finding 3): the audit trail, the AUDIT stream, KV buckets, audit
 * records left in EVENTS, the DLQ stream and dead-letter payloads; an admin token or admin
 * session reads them. Real node, NATS, PostgreSQL; the Control page in chromium shows "admin
 * only" notes instead of broken panels.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { LEGACY_AUDIT_SUBJECT } from "../../src/admin/protocol.js";
import { ensureBuilt, openChromiumPage, skipWithoutChromium } from "../helpers/browser.js";
import { raw } from "../helpers/raw-http.js";
import { waitFor } from "../helpers/wait.js";
import { startControlStack, type ControlStack } from "./fixtures.js";

const ADMIN_TOKEN = "adm_" + "Rd9".repeat(10);
const READ_TOKEN = "read_" + "v".repeat(27);
const SECRET = "secret-record-7f3a";
const enc = new TextEncoder();

function query(url: string, path: string, input: unknown, headers: Record<string, string>) {
  return raw(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
}

/** A command in the audit trail, a dead letter, a KV bucket and a legacy audit record in EVENTS, each carrying SECRET. */
async function seed(stack: ControlStack): Promise<void> {
  const run = await raw(`${stack.web.url}/trpc/control.run`, { method: "POST", headers: { "content-type": "application/json", "x-admin-token": ADMIN_TOKEN }, body: JSON.stringify({ command: "status", args: [SECRET] }) });
  assert.equal(run.status, 200, run.body);
  const kv = await new Kvm(stack.nc).create("rt_test_secrets");
  await kv.put("owner", enc.encode(SECRET));
  stack.nc.publish("dlq.invalid_price", enc.encode(JSON.stringify({ reason: "price must be positive", record: { s: "BTCUSDT", p: "-1", note: SECRET } })));
  stack.nc.publish(LEGACY_AUDIT_SUBJECT, enc.encode(JSON.stringify({ caller: SECRET })));
  await stack.nc.flush();
  await waitFor(async () => (await stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM admin_audit WHERE command = 'status'")).rows[0]!.n > 0, { timeoutMs: 20_000, what: "the forwarded command's audit row" });
}

test("READ_TOKENS: a read token is refused the audit trail, AUDIT, KV_*, EVENTS' audit records, DLQ messages and dead-letter payloads; the rest of the log browser reads; an admin token reads all", async () => {
  await using stack = await startControlStack({ adminTokens: [ADMIN_TOKEN], readTokens: [READ_TOKEN] });
  const { url } = stack.web;
  await seed(stack);
  const viewer = { authorization: `Bearer ${READ_TOKEN}` };
  const admin = { "x-admin-token": ADMIN_TOKEN };

  const refused: [string, unknown, RegExp][] = [
    ["control.audit", { limit: 10 }, /the audit trail is admin only/],
    ["control.subjects", { stream: "AUDIT" }, /the audit trail is admin only/],
    ["control.messages", { stream: "AUDIT", subject: "audit.admin.>", limit: 5 }, /the audit trail is admin only/],
    ["control.subjects", { stream: "KV_rt_test_secrets" }, /key-value buckets is admin only/],
    ["control.messages", { stream: "KV_rt_test_secrets", subject: ">", limit: 5 }, /key-value buckets is admin only/],
    ["control.messages", { stream: "EVENTS", subject: ">", limit: 5 }, /the audit trail is admin only/],
    ["control.messages", { stream: "EVENTS", subject: "events.admin.*", limit: 5 }, /the audit trail is admin only/],
    ["control.messages", { stream: "DLQ", subject: "dlq.>", limit: 5 }, /dead-letter payloads is admin only/],
  ];
  for (const [path, input, message] of refused) {
    const r = await query(url, path, input, viewer);
    assert.equal(r.status, 403, `${path} ${JSON.stringify(input)}: ${r.body}`);
    assert.match(JSON.parse(r.body).error.message, message);
    assert.match(JSON.parse(r.body).error.message, /sign in with an admin token on the Control page, or send x-admin-token/);
    assert.ok(!r.body.includes(SECRET));
    const allowed = await query(url, path, input, admin);
    assert.equal(allowed.status, 200, `admin: ${path} ${JSON.stringify(input)}: ${allowed.body}`);
  }
  assert.ok((await query(url, "control.audit", { limit: 10 }, admin)).body.includes(SECRET), "the admin reads the audit trail");
  assert.ok((await query(url, "control.messages", { stream: "KV_rt_test_secrets", subject: ">", limit: 5 }, admin)).body.includes(SECRET));

  // Dead letters: a viewer gets the reasons, not the records.
  const viewerDlq = await query(url, "control.deadLetters", { limit: 10 }, viewer);
  assert.equal(viewerDlq.status, 200, viewerDlq.body);
  const [letter] = JSON.parse(viewerDlq.body).result.data as { reason: string; data: string; payloadHidden: boolean; subject: string; headers: object }[];
  assert.deepEqual([letter!.reason, letter!.subject, letter!.data, letter!.payloadHidden, letter!.headers], ["price must be positive", "dlq.invalid_price", "", true, {}]);
  assert.ok(!viewerDlq.body.includes(SECRET));
  const adminDlq = JSON.parse((await query(url, "control.deadLetters", { limit: 10 }, admin)).body).result.data as { data: string; payloadHidden: boolean }[];
  assert.ok(adminDlq[0]!.data.includes(SECRET) && adminDlq[0]!.payloadHidden === false);

  // The rest of the log browser stays readable, and says which streams are admin only.
  const streams = await query(url, "control.streams", undefined, viewer);
  assert.equal(streams.status, 200);
  const flags = Object.fromEntries((JSON.parse(streams.body).result.data.streams as { name: string; adminOnly: boolean }[]).map((s) => [s.name, s.adminOnly]));
  assert.deepEqual([flags.AUDIT, flags.KV_rt_test_secrets, flags.DLQ, flags.EVENTS], [true, true, true, false]);
  assert.equal((await query(url, "control.subjects", { stream: "EVENTS" }, viewer)).status, 200);
  assert.equal((await query(url, "control.subjects", { stream: "DLQ" }, viewer)).status, 200, "dead-letter reasons (subjects) stay readable");
  const logs = await query(url, "control.messages", { stream: "EVENTS", subject: "events.log.>", limit: 5 }, viewer);
  assert.equal(logs.status, 200, logs.body);

  // The node's log line of an audited command is readable by the viewer, without who ran it for whom, with which key and arguments.
  const unknown = await raw(`${url}/trpc/control.run`, { method: "POST", headers: { "content-type": "application/json", ...admin }, body: JSON.stringify({ command: "nosuch", args: [SECRET] }) });
  assert.equal(JSON.parse(unknown.body).result.data.replies[0].code, "unknown-command", unknown.body);
  const tail = await waitFor(async () => {
    const r = await query(url, "control.logs", { filter: { text: "admin nosuch" }, limit: 50 }, viewer);
    return r.body.includes("admin nosuch rejected") ? r.body : undefined;
  }, { timeoutMs: 20_000, what: "the node's log line of the refused command" });
  assert.ok(!tail.includes(SECRET) && !tail.includes("web:token-") && !tail.includes("keyId"), tail);
  const stored = await query(url, "control.messages", { stream: "EVENTS", subject: "events.log.>", limit: 200 }, viewer);
  assert.ok(stored.body.includes("admin nosuch rejected") && !stored.body.includes(SECRET), "the EVENTS copy too");

  // An admin session (the token typed once on the page) reads them too.
  const signIn = await raw(`${url}/auth/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
  const cookie = String(signIn.headers["set-cookie"]).split(";")[0]!;
  assert.equal((await query(url, "control.audit", { limit: 10 }, { cookie })).status, 200);
});

test("the Control page with a read session shows admin-only notes, then the audit trail and payloads once the admin token is typed", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startControlStack({ adminTokens: [ADMIN_TOKEN], readTokens: [READ_TOKEN] });
  await seed(stack);
  await using chromium = await openChromiumPage({ width: 1500, height: 940 });
  const { page, pageErrors: errors } = chromium;
  await page.goto(stack.web.url + "/control");
  await page.getByLabel("Read token").fill(READ_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await waitFor(async () => (await page.getByTestId("audit-admin-only").count()) > 0, { timeoutMs: 20_000, what: "the audit trail's admin-only note" });
  assert.match(await page.getByTestId("audit").innerText(), /Admin only: the audit trail names callers' addresses and key ids/);

  await page.getByRole("button", { name: "Log browser" }).click();
  await waitFor(async () => (await page.getByTestId("dlq").innerText()).includes("price must be positive"), { timeoutMs: 20_000, what: "the dead letter's reason" });
  assert.match(await page.getByTestId("dlq-admin-only").innerText(), /Admin only: the rejected records themselves/);
  assert.match(await page.getByTestId("dlq").innerText(), /payload hidden \(admin only\)/);
  await page.locator("tr", { hasText: "AUDIT" }).first().click();
  await waitFor(async () => (await page.getByTestId("stream-admin-only").count()) > 0, { what: "the AUDIT stream's note" });
  assert.match(await page.getByTestId("stream-admin-only").innerText(), /Admin only: AUDIT holds the audit trail/);
  const browserText = await page.getByTestId("log-browser").innerText();
  assert.ok(!browserText.includes(SECRET));
  assert.equal(await page.locator(".banner.error").count(), 0, "no broken panel");

  // The admin token typed once: the payloads and the audit trail appear.
  await page.getByLabel("admin token").fill(ADMIN_TOKEN);
  await page.getByLabel("admin token").press("Enter");
  await waitFor(async () => (await page.getByTestId("dlq").innerText()).includes(SECRET), { timeoutMs: 20_000, what: "the dead letter's payload" });
  await page.getByRole("button", { name: "Operations" }).click();
  await waitFor(async () => (await page.getByTestId("audit").innerText()).includes("status"), { timeoutMs: 20_000, what: "the audit trail" });
  assert.deepEqual(errors, []);
});
