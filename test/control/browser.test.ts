/**
 * The control plane in Debian's chromium against a real node: run the quality gate from the page,
 * watch its log stream live, see the FAILED report with the planted defects and the audit entry;
 * then the log browser (consumers, dead letters) and the data page. Screenshots go to
 * test-artifacts/ (docs/screenshots/ holds a copy chosen by hand).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ensureBuilt, openChromiumPage, skipWithoutChromium } from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import { startControlStack } from "./fixtures.js";
import { BTC_NOW, seedBtc } from "./seed.js";


test("control plane: run the quality gate from the page and watch its live log", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startControlStack({ seedLake: (l) => seedBtc(l, { zeroPriceBars: [12, 30] }), now: () => BTC_NOW });
  await stack.nc.publish("dlq.invalid_price", new TextEncoder().encode(JSON.stringify({ reason: "price must be positive", record: { s: "BTCUSDT", p: "-1", t: 3735683300 } })));
  await using chromium = await openChromiumPage({ width: 1500, height: 940 });
  const { page, pageErrors: errors } = chromium;
  await page.goto(stack.web.url + "/control");
  await waitFor(async () => (await page.getByTestId("access").innerText()).includes("this machine only"), { timeoutMs: 20_000, what: "the access note" });
  await waitFor(async () => (await page.getByTestId("command-runner").innerText()).includes("quality"), { timeoutMs: 20_000, what: "the node's commands listed" });

  await page.getByLabel("scope").selectOption("all");
  // A short log box, so the run's lines overflow it and the tail has to follow them.
  await page.addStyleTag({ content: "[data-testid=log-tail] { height: 140px !important; max-height: 140px !important; }" });
  await page.getByTestId("run-quality").click();
  const tail = page.getByTestId("log-tail");
  await waitFor(async () => /quality run q-\S+ FAILED/.test(await tail.innerText()), { timeoutMs: 40_000, what: "the run's verdict in the live log" });
  const text = await tail.innerText();
  assert.match(text, /quality run q-\S+ started/);
  assert.match(text, /check price on silver_bars: FAILED \(2 of \d+\)/);
  assert.match(text, /quarantined 2 row\(s\)/);
  // The live log follows the newest line: more lines than fit, scrolled to the bottom.
  const scroll = () => tail.evaluate((el) => ({ overflow: el.scrollHeight > el.clientHeight, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight }));
  await waitFor(async () => (await scroll()).overflow, { timeoutMs: 20_000, what: "more log lines than the box shows" });
  assert.ok((await scroll()).fromBottom < 24, `scrolled to the newest line: ${JSON.stringify(await scroll())}`);
  await waitFor(async () => (await page.getByTestId("latest-report").innerText()).includes("FAILED"), { timeoutMs: 20_000, what: "the FAILED report" });
  const card = await page.getByTestId("quality-card").innerText();
  assert.match(card, /price\s+silver_bars\s+FAILED/);
  await waitFor(async () => /quality --all\s+\S+\s+succeeded/.test(await page.getByTestId("audit").innerText()), { timeoutMs: 20_000, what: "the audit entry" });
  await waitFor(async () => (await page.getByTestId("run-quality").innerText()) === "Run quality gate", { timeoutMs: 20_000, what: "the run button back" });
  await page.screenshot({ path: `${ARTIFACTS}/control-plane.png` });

  // Level filter: only errors remain.
  await page.getByLabel("level").selectOption("error");
  await waitFor(async () => {
    const levels = await page.locator("[data-testid=log-tail] .log-level").allInnerTexts();
    return levels.length > 0 && levels.every((l) => l === "ERROR");
  }, { timeoutMs: 20_000, what: "only ERROR lines" });

  // Log browser: the audit consumer with its lag, the dead letter with its reason.
  await page.getByRole("button", { name: "Log browser" }).click();
  await waitFor(async () => (await page.getByTestId("consumers").innerText()).includes("control-audit"), { timeoutMs: 20_000, what: "the audit consumer" });
  await waitFor(async () => (await page.getByTestId("dlq").innerText()).includes("price must be positive"), { timeoutMs: 20_000, what: "the dead letter" });
  await page.locator("tr.clickable", { hasText: "EVENTS" }).click();
  await page.getByRole("button", { name: /events\.quality\.report/ }).click();
  await waitFor(async () => (await page.getByTestId("log-browser").innerText()).includes('"status":"FAILED"'), { timeoutMs: 20_000, what: "the report message" });
  await page.screenshot({ path: `${ARTIFACTS}/control-log-browser.png`, fullPage: true });

  // Data page: tables with row counts; the quarantine table's rows.
  await page.getByRole("link", { name: "Data" }).click();
  await waitFor(async () => (await page.getByTestId("tables").innerText()).includes("quarantine"), { timeoutMs: 20_000, what: "the quarantine table" });
  await page.getByRole("button", { name: /quarantine/ }).click();
  await waitFor(async () => (await page.getByTestId("table-detail").innerText()).includes("price_not_positive"), { timeoutMs: 20_000, what: "quarantined rows" });
  await page.screenshot({ path: `${ARTIFACTS}/data.png` });
  assert.deepEqual(errors, []);
});

test("with ADMIN_TOKENS configured the page refuses commands until a valid token is given", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  const token = "tok_" + "b".repeat(30);
  await using stack = await startControlStack({ adminTokens: [token], seedLake: (l) => seedBtc(l), now: () => BTC_NOW });
  await using chromium = await openChromiumPage({ width: 1400, height: 900 });
  const { page } = chromium;
  await page.goto(stack.web.url + "/control");
  await waitFor(async () => (await page.getByTestId("access").innerText()).includes("need an admin token"), { timeoutMs: 20_000, what: "the token note" });
  await page.getByTestId("run-quality").click();
  await waitFor(async () => (await page.getByTestId("quality-card").innerText()).includes("an admin token is required"), { timeoutMs: 20_000, what: "the refusal" });
  // A wrong token opens no admin session: the sign-in says so, and commands stay refused.
  await page.getByLabel("admin token").fill("wrong-token");
  await page.getByLabel("admin token").press("Enter");
  await waitFor(async () => (await page.getByTestId("admin-sign-in-error").innerText()).includes("not valid"), { timeoutMs: 20_000, what: "the wrong token refused" });
  await page.getByLabel("admin token").fill(token);
  await page.getByLabel("admin token").press("Enter");
  await waitFor(async () => (await page.getByTestId("access").innerText()).includes("accepted"), { timeoutMs: 20_000, what: "the token accepted" });
  await waitFor(async () => (await page.getByTestId("command-runner").innerText()).includes("quality, status"), { timeoutMs: 20_000, what: "the commands listed once authorised" });
  await page.getByTestId("run-quality").click();
  await waitFor(async () => (await page.getByTestId("latest-report").innerText()).includes("PASSED"), { timeoutMs: 40_000, what: "a PASSED report" });
  await waitFor(async () => {
    const audit = await page.getByTestId("audit").innerText();
    return /quality\s+web-test\s+refused/.test(audit) && /quality\s+node-q1\s+succeeded/.test(audit);
  }, { timeoutMs: 20_000, what: "refusals and the accepted run in the audit trail" });
  await page.screenshot({ path: `${ARTIFACTS}/control-plane-token.png` });
});
