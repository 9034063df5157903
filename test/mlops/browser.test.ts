/**
 * The MLOps page in Debian's chromium against a real registry: leaderboard, champion, history,
 * importances, live performance, runs; rollback from the page (loopback, no token); sorting; a
 * demotion by the next round, marked on the page.
 * Screenshot in test-artifacts/mlops.png.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ensureBuilt, launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { upsertSilverBars } from "../../src/db/index.js";
import { ArtifactStore, predictorFromModel } from "../../src/mlops/index.js";
import { trpcClient } from "../web/fixtures.js";
import { waitFor } from "../helpers/wait.js";
import { servingRow, startMlopsStack } from "./web-fixture.js";


test("MLOps page renders the registry, rolls back from the browser, and marks a demotion", { skip: skipWithoutChromium, timeout: 180_000 }, async () => {
  ensureBuilt();
  await using m = await startMlopsStack();
  {
    await using c = trpcClient(m.stack.server.url);
    await c.client.mlops.train.mutate({ symbol: "SYNUSDT" });
    const second = await c.client.mlops.train.mutate({ symbol: "SYNUSDT" });
    assert.equal((second[0]!.trained[0] as { champion: string }).champion, "SYNUSDT/v2");
  }
  // The last 120 bars as if v2 had served them, so live performance shows a model against naive.
  const v2 = predictorFromModel(await new ArtifactStore(m.lake.storage).load("SYNUSDT/v2"), "SYNUSDT/v2");
  await upsertSilverBars(m.db, m.bars.slice(-120).map((b) => servingRow(b, b.features ? v2.predict(b.features, b) : null, "SYNUSDT/v2")));

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => void d.accept());
    await page.goto(m.stack.server.url + "/mlops?symbol=SYNUSDT");

    await waitFor(async () => (await page.getByTestId("leaderboard").locator("tbody tr").count()) === 5, { timeoutMs: 30_000, what: "4 models + naive on the leaderboard" });
    await waitFor(async () => (await page.getByTestId("champion").innerText()).includes("SYNUSDT/v2"), { what: "champion v2" });
    // Each panel loads on its own query: wait for each rather than assume they arrive together.
    await waitFor(async () => (await page.getByTestId("importances").locator(".imp-row").count()) === 6, { what: "6 importance rows: the 7 features, lag_3 and momentum as one" });
    assert.match(await page.getByTestId("importances").innerText(), /lag_3 \+ momentum/);
    await waitFor(async () => (await page.getByTestId("runs").locator("tbody tr").count()) === 5, { what: "5 runs in the runs table" });
    // Why each model was or was not promoted: v2's run says "promoted", the other three the rule's reason.
    const decisions = await page.getByTestId("decision").allInnerTexts();
    assert.equal(decisions.filter((d) => d === "promoted SYNUSDT/v2").length, 1, decisions.join(" | "));
    assert.ok(decisions.filter((d) => d !== "promoted SYNUSDT/v2" && d !== "promoted SYNUSDT/v1").every((d) => /^(outranked|not-significant-vs-naive|not-better-than-naive|not-significant-vs-champion|not-better-than-champion)$/.test(d)), decisions.join(" | "));
    const points = await page.locator("[data-testid=performance] polyline.model").getAttribute("points");
    assert.ok(points && points.split(" ").length >= 2, "a live-performance line");
    assert.ok((await page.locator(".tab.active").innerText()).includes("MLOps"));
    await page.screenshot({ path: `${ARTIFACTS}/mlops.png`, fullPage: true });

    // Sort by RMSE (ascending on first click).
    await page.getByTestId("runs").locator("th", { hasText: "RMSE" }).click();
    await waitFor(async () => (await page.getByTestId("runs").locator("th .arrow").innerText()) === "▲", { what: "sorted by RMSE" });
    const rmse = async () => (await page.getByTestId("runs").locator("tbody tr td:nth-child(5)").allInnerTexts()).map((t) => Number(t.replace(/,/g, "")));
    await waitFor(async () => {
      const v = await rmse();
      return v.length === 5 && v.every((x, i) => i === 0 || x >= v[i - 1]!);
    }, { what: "runs in ascending RMSE" });

    await page.getByRole("button", { name: /Roll back to SYNUSDT\/v1/ }).click();
    await waitFor(async () => (await page.locator(".notice").count()) > 0, { what: "rollback notice" });
    assert.match(await page.locator(".notice").innerText(), /rolled back SYNUSDT\/v2 → SYNUSDT\/v1/);
    await waitFor(async () => (await page.getByTestId("champion").innerText()).includes("SYNUSDT/v1"), { what: "champion v1 after rollback" });
    await page.screenshot({ path: `${ARTIFACTS}/mlops-after-rollback.png`, fullPage: true });

    // v1 served the newest 200 bars badly (±0.4 % off the close; moves are ~0.25 %): the next round demotes it.
    m.source.add(m.bars.slice(-200).map((b, k) => ({ ...b, modelVersion: "SYNUSDT/v1", prediction: b.close * (1 + (k % 2 === 0 ? 0.004 : -0.004)) })));
    {
      await using c = trpcClient(m.stack.server.url);
      const [round] = await c.client.mlops.train.mutate({ symbol: "SYNUSDT" });
      const trained = round!.trained[0] as { champion: string; review: { demoted: boolean; verdict: string } };
      assert.deepEqual([trained.champion, trained.review.verdict, trained.review.demoted], ["naive", "demote", true]);
    }
    await waitFor(async () => (await page.getByTestId("demoted").count()) === 1, { what: "the demotion banner" });
    assert.match(await page.getByTestId("demoted").innerText(), /SYNUSDT\/v1 did significantly worse than the naive forecast/);
    await waitFor(async () => (await page.getByTestId("demoted-mark").count()) === 1, { what: "the demotion marked in the history" });
    assert.match(await page.locator("tr.demoted").innerText(), /demoted\s+naive[\s\S]*demoted SYNUSDT\/v1: worse-than-naive/);
    await waitFor(async () => (await page.getByTestId("events").innerText()).includes("demoted SYNUSDT/v1 → naive"), { what: "the demotion in the events feed" });
    assert.ok(await page.getByRole("button", { name: /Roll back to SYNUSDT\/v1/ }).isEnabled(), "a demotion can be undone by hand");
    await page.screenshot({ path: `${ARTIFACTS}/mlops-demoted.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
