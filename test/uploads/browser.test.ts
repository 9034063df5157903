/**
 * The Data page's upload in chromium, against a real node (market, lake, serving and web roles,
 * no ingest): the BTCUSDT recording as a Binance trades CSV goes up in 256 KiB chunks, one chunk's
 * connection fails and the page resumes from the server's byte count, the progress reaches
 * 100 %, the result shows, and the trades and bars are in the lake and in the serving table:
 * every window of the recording, as the plain computation gives them (the file's end closes the
 * last ones, as `npm run replay`'s does).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, ensureBuilt, openChromiumPage, skipWithoutChromium } from "../helpers/browser.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait.js";
import { trpcClient } from "../web/fixtures.js";
import { startPipeline } from "../web-e2e/stack.js";
import { bruteForceBars, loggedTrades } from "../market-e2e/support.js";
import { recordedCsvRows } from "../ingest/support.js";

const TRADES = 19_904;
const CHUNK = 256 * 1024;

test("upload a month-style trades file from the Data page: chunks, a dropped chunk resumed, 100 %, the result, then the rows in the lake and serving tables", { skip: skipWithoutChromium, timeout: 240_000 }, async () => {
  ensureBuilt();
  await using stack = await startPipeline({ nodeId: "upload1", roles: "market,lake,serving,web", speed: "max", tickIntervalMs: 0, flags: ["--upload-chunk", String(CHUNK)] });
  using dir = tempDir("upload-browser-");
  const file = join(dir.path, "BTCUSDT-trades-2024-08-08.csv");
  const data = recordedCsvRows(0, TRADES).join("\n") + "\n";
  writeFileSync(file, data);
  const chunks = Math.ceil(Buffer.byteLength(data) / CHUNK);
  assert.ok(chunks >= 4, `${chunks} chunks`);

  await using chromium = await openChromiumPage({ width: 1440, height: 1000 });
  const page = chromium.page;
  // The third chunk's request fails once, as a dropped connection would.
  let puts = 0;
  let dropped = 0;
  const offsets: number[] = [];
  await page.route("**/api/uploads/*?offset=*", async (route) => {
    if (route.request().method() === "PUT") offsets.push(Number(new URL(route.request().url()).searchParams.get("offset")));
    if (route.request().method() === "PUT" && ++puts === 3) {
      dropped++;
      return route.abort("connectionreset");
    }
    return route.continue();
  });
  await page.goto(`${stack.web.url}/data`);
  await page.getByTestId("upload-file").setInputFiles(file);
  assert.equal(await page.getByTestId("upload-symbol").inputValue(), "BTCUSDT", "the symbol comes from the file name");
  await page.getByTestId("upload-start").click();
  const percents = new Set<string>();
  await waitFor(
    async () => {
      percents.add(await page.getByTestId("upload-percent").innerText().catch(() => ""));
      return (await page.getByTestId("upload-result").count()) > 0;
    },
    { timeoutMs: 120_000, intervalMs: 50, what: "the upload's result on the page" },
  );
  assert.equal(dropped, 1, "a chunk was dropped");
  // The dropped chunk is sent again from the server's byte count, not from the file's start.
  const expectedOffsets = Array.from({ length: chunks }, (_, i) => i * CHUNK);
  expectedOffsets.splice(2, 0, 2 * CHUNK);
  assert.deepEqual(offsets, expectedOffsets);
  assert.equal(await page.getByTestId("upload-phase").innerText(), "Done");
  assert.equal(await page.getByTestId("upload-percent").innerText(), "100 %");
  assert.ok([...percents].some((p) => /^([1-9]\d?) %$/.test(p)), `progress shown on the way: ${[...percents].join(", ")}`);
  assert.equal((await page.getByTestId("upload-accepted").innerText()).replace(/,/g, ""), String(TRADES));
  assert.match(await page.getByTestId("upload-invalid").innerText(), /^0 refused/);

  // Every trade once in the log; the bars = every window of the recording, computed plainly.
  const trades = await loggedTrades(stack.nc);
  assert.equal(trades.length, TRADES);
  const expected = bruteForceBars(trades, 30_000, 10_000, -30_000);
  const { client, wsClient } = trpcClient(stack.web.url);
  try {
    const lake = await waitFor(
      async () => {
        const t = (await client.control.tables.query()).tables;
        const rows = (name: string) => t.find((x) => x.name === name)?.rows ?? 0;
        return rows("bronze_trades") === TRADES && rows("silver_bars") === expected.length ? t : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: `${TRADES} bronze rows and ${expected.length} silver bars in the lake` },
    );
    assert.ok(lake.length >= 2);
    // The page reads the tables again after the import: bronze_trades shows the rows.
    await waitFor(async () => /19,904 rows/.test(await page.getByTestId("tables").innerText()), { timeoutMs: 30_000, intervalMs: 250, what: "the Data page's table list showing 19,904 bronze rows" });
    await waitFor(async () => /BTCUSDT/.test(await page.getByTestId("table-detail").innerText().catch(() => "")), { timeoutMs: 30_000, intervalMs: 250, what: "bronze_trades' latest rows on the page" });
    await page.screenshot({ path: `${ARTIFACTS}/data-upload.png` });
    assert.deepEqual(chromium.pageErrors, []);

    // A bad file: the page says why, and nothing of it is logged.
    const broken = join(dir.path, "BTCUSDT-trades-2024-08-09.zip");
    writeFileSync(broken, Buffer.from("PK\u0003\u0004 not really a zip"));
    await page.getByTestId("upload-file").setInputFiles(broken);
    await page.getByTestId("upload-start").click();
    await waitFor(async () => (await page.getByTestId("upload-phase").innerText().catch(() => "")) === "Refused", { timeoutMs: 30_000, intervalMs: 100, what: "the broken zip refused on the page" });
    assert.match(await page.locator(".upload-panel").innerText(), /BTCUSDT-trades-2024-08-09\.zip: .*zip.*Nothing of it was logged/s);
    assert.equal((await loggedTrades(stack.nc)).length, TRADES, "nothing more in the log");
    const served = await waitFor(
      async () => {
        const bars = await client.market.bars.query({ symbol: "BTCUSDT", limit: 1000 });
        return bars.length === expected.length ? bars : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `${expected.length} bars in the serving table` },
    );
    served.forEach((bar, i) => {
      const want = expected[i]!;
      assert.deepEqual([bar.windowStart, bar.open, bar.high, bar.low, bar.close, bar.tradeCount], [want.windowStart, want.open, want.high, want.low, want.close, want.tradeCount], `bar ${i}`);
    });
  } finally {
    wsClient.close();
  }
});
