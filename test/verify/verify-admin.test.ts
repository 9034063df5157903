/**
 * `verify` as the control plane runs it: a real node with the quality role answers the admin
 * command (through the web server's control.run, as the Control page does), publishes the report,
 * and control.lastVerify serves it back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import { LakeWriter } from "../../src/lake/writer/lake-writer.js";
import { BRONZE_TRADES_APP_ID, bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/tables/bronze-trades.js";
import { encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import type { Trade } from "../../src/market/trade.js";
import type { VerifyReport } from "../../src/verify/types.js";
import { startControlStack, type ControlStack } from "../control/fixtures.js";
import { ARTIFACTS, ensureBuilt, openChromiumPage, skipWithoutChromium } from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import { btcTrades } from "../quality/fixtures.js";

const trades = btcTrades().slice(0, 2000);
const lost = trades[1234]!.tradeId;

/** 2,000 recorded trades in the log; bronze committed all of them but one. */
async function seedLostTrade(stack: ControlStack): Promise<void> {
  const js = jetstream(stack.nc);
  const bronze = new LakeWriter<Trade>({ table: await stack.lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: BRONZE_TRADES_APP_ID });
  for (let i = 0; i < trades.length; i += 500) {
    const batch = trades.slice(i, i + 500);
    const { seq } = await js.publish("md.trades.3.BTCUSDT", encodeTradeBatch(batch));
    bronze.add(batch.filter((t) => t.tradeId !== lost), seq);
  }
  await bronze.flush();
}

test("the control plane runs verify on the quality node and shows its last result", async () => {
  await using stack = await startControlStack();
  await seedLostTrade(stack);

  const client = stack.client();
  const { replies } = await client.control.run.mutate({ command: "verify", args: ["--since", "1h"], timeoutMs: 60_000 });
  assert.equal(replies.length, 1);
  const reply = replies[0]!;
  assert.ok(reply.ok, JSON.stringify(reply));
  const report = reply.result as VerifyReport;
  assert.equal(report.status, "FAILED");
  assert.equal(report.totals.logTrades, 2000);
  assert.deepEqual(report.tradeFindings[0]!.missingFromBronze.ranges, [[lost, lost]]);

  const last = await waitFor(async () => {
    const r = await client.control.lastVerify.query();
    return r?.startedAt === report.startedAt ? r : null;
  }, { what: "the verify report on the EVENTS stream" });
  assert.deepEqual(last.totals, report.totals);

  await assert.rejects(client.control.run.mutate({ command: "verify", args: ["--since"] }).then((r) => (r.replies[0]!.ok ? r : Promise.reject(new Error(r.replies[0]!.error)))), /--since needs a value/);
});

test("the Control page's reconciliation card runs verify and names the lost trade", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startControlStack();
  await seedLostTrade(stack);
  await using chromium = await openChromiumPage({ width: 1500, height: 940 });
  const { page, pageErrors: errors } = chromium;
  await page.goto(stack.web.url + "/control");
  const card = page.getByTestId("verify-card");
  await waitFor(async () => (await card.innerText()).includes("No verify run yet"), { timeoutMs: 20_000, what: "the empty card" });
  await page.getByLabel("verify range").selectOption("all");
  await page.getByTestId("run-verify").click();
  await waitFor(async () => (await page.getByTestId("verify-result").innerText()).includes("FAILED"), { timeoutMs: 60_000, what: "the FAILED verify result" });
  assert.match(await card.innerText(), /2,000 in log\s+1,999 in bronze/);
  assert.match(await page.getByTestId("verify-findings").innerText(), new RegExp(`BTCUSDT\\s+missing from bronze\\s+1\\s+${lost}`));
  await card.screenshot({ path: `${ARTIFACTS}/control-verify.png` });
  assert.deepEqual(errors, []);
});
