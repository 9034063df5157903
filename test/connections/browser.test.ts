/**
 * The Connections page in Debian's chromium: sign in with the admin token, create a key (shown
 * once), copy a snippet that carries it, send data with it, see the record and an error on the
 * page, revoke the key, and its next request is 401. Screenshot in test-artifacts/connections.png.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ensureBuilt, launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import { ADMIN_TOKEN, startConnectionsStack, T } from "./fixture.js";

test("Connections page: create a key, copy a snippet, see records and errors, revoke the key", { skip: skipWithoutChromium, timeout: 180_000 }, async () => {
  ensureBuilt();
  await using s = await startConnectionsStack();
  const url = s.node.server.url;
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1500 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => void d.accept());
    await page.goto(url + "/connections");
    await waitFor(async () => (await page.getByTestId("api-keys").innerText()).includes("admin only"), { what: "the keys refused before sign-in" });
    assert.ok((await page.locator(".tab.active").innerText()).includes("Connections"));
    assert.equal(await page.getByTestId("openapi-link").getAttribute("href"), "/api/docs");

    await page.getByLabel("admin token").fill(ADMIN_TOKEN);
    await page.getByLabel("admin token").press("Enter");
    await waitFor(async () => (await page.getByTestId("api-keys").locator("tbody tr").count()) === 1, { what: "the bootstrap key listed after sign-in" });

    await page.getByLabel("key source").fill("acme");
    await page.getByLabel("key label").fill("acme production feed");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = String(await waitFor(async () => (await page.getByTestId("new-key-value").count()) === 1 && (await page.getByTestId("new-key-value").innerText()).trim(), { what: "the new key shown" }));
    assert.match(key, /^thk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(await page.getByTestId("new-key").innerText(), /shown once/);
    await waitFor(async () => (await page.getByTestId("api-keys").locator("tbody tr").count()) === 2, { what: "the new key listed" });

    // The snippets of the key's source carry the key; Copy puts the snippet on the clipboard.
    const snippets = page.getByTestId("snippets");
    assert.equal(await snippets.locator("[data-snippet]").count(), 4);
    const curl = await snippets.locator("[data-snippet=curl] pre").innerText();
    assert.ok(curl.includes(`${url}/api/ingest/acme`) && curl.includes(`X-API-Key: ${key}`), curl);
    assert.match(await snippets.locator("[data-snippet=nats-cli] pre").innerText(), /pub ingest\.acme\.market/);
    await snippets.locator("[data-snippet=curl]").getByRole("button", { name: "Copy" }).click();
    await waitFor(async () => (await snippets.locator("[data-snippet=curl]").getByRole("button").innerText()) === "Copied", { what: "copied" });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), curl);

    // Data sent with the key, and a refused request, show up on the page.
    assert.equal((await s.ingest(url, key, "acme", { symbol: "WIDGET", price: 12.5, timestamp: T })).status, 202);
    assert.equal((await s.ingest(url, "thk_000000000000_" + "A".repeat(43), "acme", { symbol: "WIDGET", price: 1, timestamp: T })).status, 401);
    await waitFor(async () => (await page.getByTestId("last-records").innerText()).includes('"price":12.5'), { timeoutMs: 20_000, what: "the record on the page" });
    await waitFor(async () => (await page.getByTestId("last-errors").innerText()).includes("401 unauthorized"), { timeoutMs: 20_000, what: "the 401 on the page" });
    await page.screenshot({ path: `${ARTIFACTS}/connections.png`, fullPage: true });

    // Shown once: after a reload the key is nowhere on the page.
    await page.reload();
    await waitFor(async () => (await page.getByTestId("api-keys").locator("tbody tr").count()) === 2, { what: "keys after reload" });
    assert.ok(!(await page.content()).includes(key), "the key is not shown again");
    const row = page.getByTestId("api-keys").locator("tbody tr", { hasText: "acme production feed" });
    assert.match(await row.innerText(), /acme[\s\S]*web:token-/);
    await row.getByRole("button", { name: "Revoke" }).click();
    await waitFor(async () => (await row.innerText()).includes("revoked"), { what: "the key marked revoked" });
    assert.equal((await s.ingest(url, key, "acme", { symbol: "WIDGET", price: 13, timestamp: T })).status, 401, "the revoked key's next request is refused");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
