/**
 * The dashboard on the REAL pipeline: the BTCUSDT recording replayed by the market simulator,
 * ingested, windowed by the SymbolActor, written to the serving tables (PGlite), served by the
 * node's web server, rendered by Debian's chromium. Screenshots go to test-artifacts/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ARTIFACTS, ensureBuilt, launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { waitFor } from "../helpers/wait.js";
import { startPipeline } from "./stack.js";


/**
 * The price chart's canvases: how many candle-coloured pixels (the app's up/down colours) and how
 * many separate candles on the plot: runs of columns holding at least 3 such pixels (candles are
 * drawn with a gap; the dotted last-price line in the same colour is 1 pixel high, and the axis
 * labels are on the narrow price-scale canvas).
 */
function chartCandles(): { pixels: number; candles: number } {
  let pixels = 0;
  let candles = 0;
  for (const canvas of document.querySelectorAll<HTMLCanvasElement>("[data-testid=price-chart] canvas")) {
    const ctx = canvas.getContext("2d");
    if (ctx === null || canvas.width === 0) continue;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const columns = new Uint16Array(canvas.width);
    for (let i = 0; i < d.length; i += 4) {
      const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!];
      if ((r === 34 && g === 197 && b === 94) || (r === 239 && g === 68 && b === 68)) {
        pixels++;
        columns[(i / 4) % canvas.width]!++;
      }
    }
    if (canvas.width < 300) continue;
    // (No inner named functions: tsx would wrap them in a __name helper the page does not have.)
    for (let x = 0; x < columns.length; x++) if (columns[x]! >= 3 && (x === 0 || columns[x - 1]! < 3)) candles++;
  }
  return { pixels, candles };
}

/** Closed 1m candles the server has for BTCUSDT (tRPC query over HTTP). */
async function closedCandles(url: string): Promise<number> {
  const res = await fetch(`${url}/trpc/market.candles?input=${encodeURIComponent(JSON.stringify({ symbol: "BTCUSDT", limit: 300 }))}`);
  if (!res.ok) return 0;
  const body = (await res.json()) as { result: { data: unknown[] } };
  return body.result.data.length;
}

test("with a replay running, the live page shows candles and a prediction, the last price changes within 2 s; the system page lists the node", { skip: skipWithoutChromium }, async () => {
  ensureBuilt();
  // ×20: a 1m candle closes every 3 s and a 30 s bar every half second; the 11-minute recording lasts ~33 s.
  await using stack = await startPipeline({ nodeId: "replay-web-1", roles: "market,ingest,serving,web", speed: 20 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // Wait for the first closed 1m candle in the serving tables, so the page has history to draw.
    await waitFor(async () => (await closedCandles(stack.web.url)) >= 1, { timeoutMs: 60_000, intervalMs: 200, what: "a closed 1m candle in the serving tables" });
    await page.goto(`${stack.web.url}/?symbol=BTCUSDT`);

    const lastPrice = page.getByTestId("last-price");
    await waitFor(async () => /\d/.test(await lastPrice.innerText()), { timeoutMs: 30_000, what: "a last price" });
    const prediction = page.getByTestId("prediction");
    // The recording's BTC price is ~61,000: a number like 61,234.56.
    await waitFor(async () => /^\d{2},\d{3}\.\d{2}$/.test((await prediction.innerText()).trim()), { timeoutMs: 30_000, what: "a prediction value" });
    const drawn = await waitFor(async () => {
      const chart = await page.evaluate(chartCandles);
      return chart.pixels > 200 ? chart : undefined;
    }, { timeoutMs: 30_000, what: "candles drawn on the chart canvas" });
    assert.ok(drawn.candles >= 1);

    const before = await lastPrice.innerText();
    await page.waitForFunction((prev) => document.querySelector("[data-testid=last-price]")?.textContent !== prev, before, { timeout: 2_000 });
    await waitFor(async () => (await page.locator(".tape tbody tr").count()) >= 15, { timeoutMs: 20_000, what: "a filled trade tape" });
    // For the README's screenshot: let several candles close (pushed to the page by candles$).
    await waitFor(async () => (await closedCandles(stack.web.url)) >= 8, { timeoutMs: 60_000, intervalMs: 250, what: "8 closed candles" });
    await waitFor(async () => (await page.evaluate(chartCandles)).candles >= 8, { timeoutMs: 20_000, what: "8 candles drawn" });
    await page.screenshot({ path: `${ARTIFACTS}/live-market-replay.png` });

    await page.getByRole("link", { name: "System" }).click();
    await waitFor(async () => (await page.getByTestId("nodes").innerText()).includes("replay-web-1"), { timeoutMs: 20_000, what: "the node listed" });
    await waitFor(async () => !(await page.locator(".system").innerText()).includes("n=0"), { timeoutMs: 20_000, what: "latency samples" });
    await page.screenshot({ path: `${ARTIFACTS}/system-replay.png` });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
