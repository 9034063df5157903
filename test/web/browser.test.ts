/**
 * The built dashboard in Debian's chromium against a real server, NATS and a synthetic feed:
 * candles drawn, a prediction shown, the last price moving, the system page listing nodes.
 * Screenshots go to test-artifacts/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ensureBuilt, openChromiumPage, skipWithoutChromium } from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import { fakeNode, startWebStack } from "./fixtures.js";
import { SyntheticMarketFeed } from "./market-feed.js";


function owners(): (string | null)[] {
  const nodes = ["node-a", "node-b", "node-c"];
  return Array.from({ length: 32 }, (_, i) => (i === 29 ? null : nodes[(i * 7 + (i >> 2)) % 3]!));
}

test("live market and system pages render live data in chromium", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  const view = owners();
  await using stack = await startWebStack({
    statusProvider: async () =>
      ["node-a", "node-b", "node-c"].map((id, i) => {
        const n = fakeNode(id, view);
        return { ...n, host: `host-${i + 1}`, pid: 4100 + i * 17, uptimeMs: 3_600_000 * (i + 1) + 754_000, actors: { ...n.actors, count: 11 + i * 3, restarts: i === 2 ? 2 : 0 } };
      }),
  });
  const feed = new SyntheticMarketFeed(stack.pub, "BTCUSDT", 61_250, 11);
  await feed.seedHistory(90);
  feed.tick();
  feed.start(100, 1_000);
  await using chromium = await openChromiumPage({ width: 1440, height: 900 });
  const { page, pageErrors: consoleErrors } = chromium;
  try {
    await page.goto(stack.server.url + "/");

    const lastPrice = page.getByTestId("last-price");
    await waitFor(async () => /\d/.test(await lastPrice.innerText()), { timeoutMs: 30_000, what: "a last price" });
    const prediction = page.getByTestId("prediction");
    await waitFor(async () => /^\d{2},\d{3}\.\d{2}$/.test((await prediction.innerText()).trim()), { timeoutMs: 30_000, what: "a prediction value" });

    // Candles on the canvas: count pixels in the up/down candle colours.
    const candlePixels = await waitFor(
      () =>
        page.evaluate(() => {
          let n = 0;
          for (const canvas of document.querySelectorAll<HTMLCanvasElement>("[data-testid=price-chart] canvas")) {
            const ctx = canvas.getContext("2d");
            if (ctx === null || canvas.width === 0) continue;
            const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < d.length; i += 4) {
              const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
              if ((r === 34 && g === 197 && b === 94) || (r === 239 && g === 68 && b === 68)) n++;
            }
          }
          return n > 500 ? n : 0;
        }),
      { timeoutMs: 20_000, what: "candles drawn on the chart canvas" },
    );
    assert.ok(candlePixels > 500);

    const before = await lastPrice.innerText();
    await page.waitForFunction((prev) => document.querySelector("[data-testid=last-price]")?.textContent !== prev, before, { timeout: 2_000 });
    // Screenshot once the tape has filled (a condition, not a pause).
    await waitFor(async () => (await page.locator(".tape tbody tr").count()) >= 15, { timeoutMs: 20_000, what: "a filled trade tape" });
    await page.screenshot({ path: `${ARTIFACTS}/live-market.png` });

    await page.getByRole("link", { name: "System" }).click();
    const nodes = page.getByTestId("nodes");
    await waitFor(async () => (await nodes.innerText()).includes("node-a"), { timeoutMs: 20_000, what: "node-a listed" });
    assert.equal(await page.locator("[data-testid=partition-grid] .cell").count(), 32);
    // fakeNode: partition 5 is stalled, so it comes first, marked; then p31 (node-c), which lags most (10·i + i).
    const lagRows = page.locator("[data-testid=partition-lag] tbody tr");
    assert.match(await lagRows.nth(0).innerText(), /symbols\/p5\s+node-\w\s+50\s+5\s+0\s+stalled 45 s/);
    assert.equal(await lagRows.nth(0).getAttribute("class"), "stalled");
    assert.match(await lagRows.nth(1).innerText(), /symbols\/p31\s+node-c\s+310\s+31\s+0\s+moving/);
    assert.match(await page.locator(".kpi", { has: page.getByTestId("partition-lag-total") }).innerText(), /1 stalled/);
    await waitFor(async () => !(await page.locator(".system").innerText()).includes("n=0"), { timeoutMs: 20_000, what: "latency samples" });
    await page.screenshot({ path: `${ARTIFACTS}/system.png` });
    assert.deepEqual(consoleErrors, []);
  } finally {
    feed.stop();
  }
});

test("with no market data the live page says so plainly", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startWebStack();
  await using chromium = await openChromiumPage({ width: 1280, height: 720 });
  const { page } = chromium;
  await page.goto(stack.server.url + "/");
  await waitFor(async () => (await page.locator(".empty-title").count()) > 0, { timeoutMs: 20_000, what: "empty state" });
  assert.equal(await page.locator(".empty-title").innerText(), "No market data yet");
  await page.screenshot({ path: `${ARTIFACTS}/live-market-empty.png` });
});

test("with 1,000 symbols the live page's picker finds one by typing (keyboard only), and /metrics stays at 21 series", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  await using stack = await startWebStack();
  const symbols = Array.from({ length: 1000 }, (_, i) => `Q${String(i).padStart(4, "0")}USDT`);
  for (const [i, s] of symbols.entries()) new SyntheticMarketFeed(stack.pub, s, 100 + i, i + 1).tick();
  await stack.pub.flush();
  await using chromium = await openChromiumPage({ width: 1280, height: 800 });
  const { page, pageErrors: consoleErrors } = chromium;
  // The server has seen every tick once the page lists 1,000 symbols.
  await waitFor(
    async () => {
      await page.goto(stack.server.url + "/");
      const box = page.getByRole("combobox", { name: "Symbol" });
      await box.waitFor({ timeout: 20_000 });
      return (await box.getAttribute("placeholder")) === "Search 1,000 symbols…";
    },
    { timeoutMs: 60_000, what: "the picker over 1,000 symbols" },
  );
  assert.equal(await page.getByRole("tab").count(), 0, "no chip per symbol");
  const box = page.getByRole("combobox", { name: "Symbol" });
  await box.focus();
  assert.equal(await page.getByRole("option").count(), 50, "at most 50 options rendered");
  assert.match(await page.getByRole("listbox").innerText(), /950 more — keep typing/);

  await box.pressSequentially("q077");
  const options = page.getByRole("option");
  await waitFor(async () => (await options.count()) === 10, { what: "10 matches of Q077" });
  assert.equal(await options.first().innerText(), "Q0770USDT");
  await box.press("ArrowDown");
  await box.press("ArrowDown");
  await box.press("Enter");
  await waitFor(async () => new URL(page.url()).searchParams.get("symbol") === "Q0772USDT", { what: "Q0772USDT chosen" });
  assert.equal(await page.getByTestId("current-symbol").innerText(), "Q0772USDT");
  assert.equal(await page.getByRole("listbox").count(), 0, "the list closes after a pick");
  await box.focus();
  await box.pressSequentially("zzz");
  assert.match(await page.getByRole("listbox").innerText(), /No symbol matches/);
  await box.press("Escape");
  assert.equal(await box.inputValue(), "");
  await page.screenshot({ path: `${ARTIFACTS}/symbol-picker.png` });
  assert.deepEqual(consoleErrors, []);

  const metrics = await (await fetch(stack.server.url + "/metrics")).text();
  const series = metrics.split("\n").filter((l) => l.startsWith("web_ticks_received_total{"));
  assert.equal(series.length, 21, "the top 20 symbols and other");
  assert.ok(series.some((l) => l.includes('symbol="other"')));
});
