/**
 * The admin token typed once on a page becomes a server-side admin session: admin mutations then
 * carry no token (no header, no input field), the browser stores none (no localStorage,
 * sessionStorage or readable cookie), and forgetting it or signing out ends it. Real server, real
 * nodes (control + quality; MLOps admin endpoint), real chromium.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { WebSocket } from "ws";
import type { AppRouter } from "../../src/web/index.js";
import { ensureBuilt, launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { raw } from "../helpers/raw-http.js";
import { waitFor } from "../helpers/wait.js";
import { startControlStack } from "../control/fixtures.js";
import { BTC_NOW, seedBtc } from "../control/seed.js";
import { startMlopsStack } from "../mlops/web-fixture.js";

const ADMIN_TOKEN = "adm_" + "Qz7".repeat(10);
const READ_TOKEN = "read_" + "r".repeat(27);

/** tRPC over plain HTTP with exactly these headers (a cookie, or nothing). */
function trpcCall(url: string, path: string, input: unknown, headers: Record<string, string>, mutation = false) {
  return mutation
    ? raw(`${url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(input) })
    : raw(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
}

function signIn(url: string, token: string, headers: Record<string, string> = {}) {
  return raw(`${url}/auth/session`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ token }) });
}

const cookieOf = (setCookie: unknown) => String(setCookie).split(";")[0]!;

test("an admin token exchanged at /auth/session signs commands from the session; the cookie is not the token; forgetting or signing out ends it", async () => {
  await using stack = await startControlStack({ adminTokens: [ADMIN_TOKEN], seedLake: (l) => seedBtc(l), now: () => BTC_NOW });
  const { url } = stack.web;
  const allowed = async (headers: Record<string, string>) => JSON.parse((await trpcCall(url, "control.access", undefined, headers)).body).result.data.allowed as boolean;

  assert.equal((await signIn(url, "wrong-token")).status, 401);
  assert.equal((await signIn(url, ADMIN_TOKEN, { origin: "https://evil.example" })).status, 403, "another site's page cannot sign in");
  const ok = await signIn(url, ADMIN_TOKEN);
  assert.equal(ok.status, 204, ok.body);
  assert.match(String(ok.headers["set-cookie"]), /^tickhouse_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
  assert.ok(!String(ok.headers["set-cookie"]).includes(ADMIN_TOKEN));
  const cookie = cookieOf(ok.headers["set-cookie"]);
  assert.deepEqual(JSON.parse((await raw(`${url}/auth/session`, { headers: { cookie } })).body), { signedIn: true, admin: true, canSignIn: true, adminTokens: true });

  assert.equal(await allowed({}), false, "no session, no token: not allowed");
  assert.equal(await allowed({ cookie }), true, "the session carries the admin token");
  const run = await trpcCall(url, "control.run", { command: "status", args: [] }, { cookie }, true);
  assert.equal(run.status, 200, run.body);
  assert.equal(JSON.parse(run.body).result.data.replies[0].ok, true);
  const refused = await trpcCall(url, "control.run", { command: "status", args: [] }, {}, true);
  assert.equal(refused.status, 401, "without the session the same command is refused");
  assert.equal(await allowed({ "x-admin-token": ADMIN_TOKEN }), true, "API clients keep the header");

  // Signing in again opens a new session and ends the old one.
  const again = cookieOf((await signIn(url, ADMIN_TOKEN, { cookie })).headers["set-cookie"]);
  assert.notEqual(again, cookie);
  assert.equal(await allowed({ cookie }), false, "the previous session ended");
  assert.equal(await allowed({ cookie: again }), true);

  assert.equal((await raw(`${url}/auth/session?scope=admin`, { method: "DELETE", headers: { cookie: again } })).status, 204);
  assert.equal(await allowed({ cookie: again }), false, "admin token forgotten");
  assert.equal(JSON.parse((await raw(`${url}/auth/session`, { headers: { cookie: again } })).body).admin, false);
});

test("a WebSocket opened while signed in as admin loses admin power as soon as the admin token is forgotten", async () => {
  await using stack = await startControlStack({ adminTokens: [ADMIN_TOKEN], seedLake: (l) => seedBtc(l), now: () => BTC_NOW });
  const { url } = stack.web;
  const cookie = cookieOf((await signIn(url, ADMIN_TOKEN)).headers["set-cookie"]);
  // The browser's socket carries the session cookie on its upgrade request, never the token.
  class CookieSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { cookie } });
    }
  }
  const ws = createWSClient({ url: `${url.replace("http", "ws")}/trpc`, WebSocket: CookieSocket as never });
  try {
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    assert.equal((await trpc.control.access.query()).allowed, true);
    assert.equal((await trpc.control.run.mutate({ command: "status", args: [] })).replies[0]!.ok, true);
    assert.equal((await raw(`${url}/auth/session?scope=admin`, { method: "DELETE", headers: { cookie } })).status, 204);
    assert.equal((await trpc.control.access.query()).allowed, false, "the open socket no longer acts as admin");
    await assert.rejects(trpc.control.run.mutate({ command: "status", args: [] }), /an admin token is required/);
  } finally {
    ws.close();
  }
});

test("with READ_TOKENS too, an admin session reads and signs; signing out ends both", async () => {
  await using m = await startMlopsStack("SYNUSDT", 400, { adminTokens: [ADMIN_TOKEN], readTokens: [READ_TOKEN] });
  const { url } = m.stack.server;
  const read = await signIn(url, READ_TOKEN);
  const readCookie = cookieOf(read.headers["set-cookie"]);
  assert.equal((await trpcCall(url, "mlops.symbols", undefined, { cookie: readCookie })).status, 200);
  const readOnly = await trpcCall(url, "mlops.rollback", { symbol: "SYNUSDT" }, { cookie: readCookie }, true);
  assert.equal(readOnly.status, 401, "a read session cannot run admin commands");

  const cookie = cookieOf((await signIn(url, ADMIN_TOKEN, { cookie: readCookie })).headers["set-cookie"]);
  assert.equal((await trpcCall(url, "mlops.symbols", undefined, { cookie })).status, 200, "an admin session reads");
  const trained = await trpcCall(url, "mlops.train", { symbol: "SYNUSDT" }, { cookie }, true);
  assert.equal(trained.status, 200, trained.body);
  assert.equal(JSON.parse(trained.body).result.data[0].trained.length, 1);

  assert.equal((await raw(`${url}/auth/session`, { method: "DELETE", headers: { cookie } })).status, 204);
  assert.equal((await trpcCall(url, "mlops.symbols", undefined, { cookie })).status, 401, "signed out: no reads");
  assert.equal((await trpcCall(url, "mlops.train", { symbol: "SYNUSDT" }, { cookie }, true)).status, 401, "signed out: no admin");
});

/** Everything the page sends (headers, bodies, WebSocket frames) besides the one sign-in request. */
function recordTraffic(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/auth/session" && r.method() === "POST") return;
    sent.push(`${r.method()} ${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ""}`);
  });
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(`ws ${String(f.payload)}`)));
  return sent;
}

async function assertNoTokenKept(page: Page, sent: string[]): Promise<void> {
  assert.ok(sent.length > 0);
  const leaks = sent.filter((s) => s.includes(ADMIN_TOKEN));
  assert.deepEqual(leaks, [], "no request after sign-in carries the token");
  const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
  assert.ok(!stored.includes(ADMIN_TOKEN), `the page keeps no token: ${stored}`);
  assert.equal(await page.evaluate(() => document.cookie), "", "the session cookie is invisible to scripts");
}

test("Control page: the admin token typed once runs the quality gate; the browser keeps and resends no token; forgetting it refuses again", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startControlStack({ adminTokens: [ADMIN_TOKEN], seedLake: (l) => seedBtc(l), now: () => BTC_NOW });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const sent = recordTraffic(page);
    await page.goto(stack.web.url + "/control");
    await waitFor(async () => (await page.getByTestId("access").innerText()).includes("need an admin token"), { timeoutMs: 20_000, what: "the token note" });
    await page.getByLabel("admin token").fill(ADMIN_TOKEN);
    await page.getByLabel("admin token").press("Enter");
    await waitFor(async () => (await page.getByTestId("access").innerText()).includes("accepted"), { timeoutMs: 20_000, what: "the token accepted" });
    await assertNoTokenKept(page, sent);
    assert.equal(await page.getByLabel("admin token").count(), 0, "the field is gone once signed in");

    // A reload keeps the session: nothing to type again.
    await page.reload();
    await waitFor(async () => (await page.getByTestId("access").innerText()).includes("accepted"), { timeoutMs: 20_000, what: "still accepted after a reload" });
    await waitFor(async () => (await page.getByTestId("command-runner").innerText()).includes("quality, status"), { timeoutMs: 20_000, what: "the commands listed" });
    await page.getByTestId("run-quality").click();
    await waitFor(async () => (await page.getByTestId("latest-report").innerText()).includes("PASSED"), { timeoutMs: 40_000, what: "a PASSED report" });
    await waitFor(async () => /quality\s+node-q1\s+succeeded/.test(await page.getByTestId("audit").innerText()), { timeoutMs: 20_000, what: "the run in the audit trail" });
    await assertNoTokenKept(page, sent);

    await page.getByRole("button", { name: "Forget admin token" }).click();
    await waitFor(async () => (await page.getByTestId("access").innerText()).includes("need an admin token"), { timeoutMs: 20_000, what: "refused again after forgetting" });
    await page.getByTestId("run-quality").click();
    await waitFor(async () => (await page.getByTestId("quality-card").innerText()).includes("an admin token is required"), { timeoutMs: 20_000, what: "the refusal" });
  } finally {
    await browser.close();
  }
});

test("MLOps page: the admin token typed once trains; the browser keeps and resends no token", { skip: skipWithoutChromium, timeout: 180_000 }, async () => {
  ensureBuilt();
  await using m = await startMlopsStack("SYNUSDT", 400, { adminTokens: [ADMIN_TOKEN] });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const sent = recordTraffic(page);
    await page.goto(m.stack.server.url + "/mlops?symbol=SYNUSDT");
    await page.getByRole("button", { name: "Train SYNUSDT now" }).click();
    await waitFor(async () => /Train: .*admin token/.test(await page.locator(".mlops").innerText()), { timeoutMs: 30_000, what: "train refused without a token" });

    const field = page.getByPlaceholder("admin token");
    await field.fill(ADMIN_TOKEN);
    await field.press("Enter");
    // Signed in: the field gives way to "Forget admin token". (The old page kept the token in
    // the field and in localStorage, and sent it with the mutation: the checks below catch that.)
    const forget = page.getByRole("button", { name: "Forget admin token" });
    // `inputValue` auto-waits for the field (30 s by default): once the sign-in swaps the field for
    // the button between `count()` and `inputValue()`, that wait alone outlasted this deadline.
    await waitFor(async () => (await forget.count()) === 1 || ((await field.count()) === 1 && (await field.inputValue({ timeout: 500 })) === ADMIN_TOKEN), { timeoutMs: 20_000, what: "the admin session" });
    await page.getByRole("button", { name: "Train SYNUSDT now" }).click();
    await waitFor(async () => (await page.locator(".notice").count()) > 0, { timeoutMs: 120_000, what: "the train notice" });
    assert.match(await page.locator(".notice").innerText(), /trained 1 symbol \(SYNUSDT\)/);
    await assertNoTokenKept(page, sent);
    assert.equal(await forget.count(), 1, "an admin session, not a token in the page");

    // Signing out ends the session: the cookie goes, and training is refused again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await waitFor(async () => (await page.getByPlaceholder("admin token").count()) === 1, { timeoutMs: 20_000, what: "the token field after signing out" });
    assert.deepEqual((await page.context().cookies()).filter((c) => c.name === "tickhouse_session"), []);
    await page.getByRole("button", { name: "Train SYNUSDT now" }).click();
    await waitFor(async () => /Train: .*admin token/.test(await page.locator(".mlops").innerText()), { timeoutMs: 30_000, what: "train refused after signing out" });
  } finally {
    await browser.close();
  }
});
