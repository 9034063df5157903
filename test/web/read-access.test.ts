/**
 * Reads need access: with READ_TOKENS a token (bearer, or a session cookie set once after the
 * token is typed); without, only this machine. Real server, real NATS, real chromium.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { ensureBuilt, launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { raw, upgradeStatus } from "../helpers/raw-http.js";
import { waitFor } from "../helpers/wait.js";
import { startWebStack } from "./fixtures.js";

const READ_TOKEN = "read_" + "r".repeat(27);

test("READ_TOKENS: the API and its WebSocket need a bearer token or a session; the session cookie is HttpOnly, SameSite=Strict and not the token", async () => {
  await using stack = await startWebStack({ readTokens: [READ_TOKEN] });
  const { url } = stack.server;
  const query = `${url}/trpc/market.symbols`;
  const ws = `${url.replace("http", "ws")}/trpc`;

  const anonymous = await raw(query);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.body, /a read token is required/);
  assert.equal((await raw(query, { headers: { authorization: "Bearer wrong-token" } })).status, 401);
  assert.equal((await raw(query, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status, 200);
  assert.equal(await upgradeStatus(ws), 401);
  assert.equal(await upgradeStatus(ws, { authorization: `Bearer ${READ_TOKEN}` }), 101);
  const page = await raw(`${url}/control`, { headers: { accept: "text/html" } });
  assert.equal(page.status, 401);
  assert.match(page.body, /data-testid="sign-in"/);

  const signIn = (token: string, headers: Record<string, string> = {}) =>
    raw(`${url}/auth/session`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ token }) });
  assert.equal((await signIn("wrong-token")).status, 401);
  assert.equal((await signIn(READ_TOKEN, { origin: "https://evil.example" })).status, 403, "a page of another site cannot sign in");
  assert.equal((await raw(`${url}/auth/session`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${READ_TOKEN}` })).status, 415);
  const ok = await signIn(READ_TOKEN);
  assert.equal(ok.status, 204);
  const setCookie = String(ok.headers["set-cookie"]);
  assert.match(setCookie, /^tickhouse_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
  assert.ok(!setCookie.includes(READ_TOKEN), "the cookie names a session, not the token");
  const cookie = setCookie.split(";")[0]!;
  assert.equal((await raw(query, { headers: { cookie } })).status, 200);
  assert.equal(await upgradeStatus(ws, { cookie }), 101);
  assert.equal((await raw(`${url}/control`, { headers: { cookie } })).status, 200);

  assert.equal((await raw(`${url}/auth/session`, { method: "DELETE", headers: { cookie } })).status, 204);
  assert.equal((await raw(query, { headers: { cookie } })).status, 401, "signed out");
});

const external = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === "IPv4")?.address;

test("without READ_TOKENS only this machine reads: a caller from another address gets 403 on the API, the WebSocket and the pages", { skip: external === undefined && "no non-loopback IPv4 address" }, async () => {
  await using stack = await startWebStack({ host: external! });
  const { url } = stack.server;
  const refused = await raw(`${url}/trpc/market.symbols`);
  assert.equal(refused.status, 403);
  assert.match(refused.body, /no READ_TOKENS are configured, so this server answers only this machine/);
  assert.equal(await upgradeStatus(`${url.replace("http", "ws")}/trpc`), 403);
  assert.equal((await raw(`${url}/`)).status, 403);
  // Health and metrics stay open to probes and scrapers.
  assert.equal((await raw(`${url}/metrics`)).status, 200);
});

test("READ_TOKENS in chromium: the sign-in form, then the live dashboard on a session cookie the page's scripts cannot read", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startWebStack({ readTokens: [READ_TOKEN] });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.server.url + "/system");
    await page.getByLabel("Read token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitFor(async () => /not valid/.test(await page.getByTestId("sign-in-error").innerText()), { what: "the refusal" });

    await page.getByLabel("Read token").fill(READ_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    // The app itself, with live data over the WebSocket (system.status$ names the provider's node).
    await waitFor(async () => (await page.getByTestId("nodes").count()) > 0 && (await page.getByTestId("nodes").innerText()).includes("node-a"), { timeoutMs: 20_000, what: "the System page with its nodes" });

    const [session] = (await context.cookies()).filter((c) => c.name === "tickhouse_session");
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    assert.notEqual(session.value, READ_TOKEN);
    assert.equal(await page.evaluate(() => document.cookie), "", "the session is invisible to scripts");
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.ok(!stored.includes(READ_TOKEN), "the token is not kept in the page");

    // "Sign out" in the header ends the session: back to the sign-in form.
    await page.getByRole("button", { name: "Sign out" }).click();
    await waitFor(async () => (await page.getByTestId("sign-in").count()) === 1, { timeoutMs: 20_000, what: "the sign-in form after signing out" });
    assert.deepEqual((await context.cookies()).filter((c) => c.name === "tickhouse_session"), []);
  } finally {
    await browser.close();
  }
});
