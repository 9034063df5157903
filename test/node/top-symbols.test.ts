import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { NodeMetrics } from "../../src/node/metrics.js";
import { TopSymbolTotals } from "../../src/runtime/top-symbols.js";
import { WebMetrics } from "../../src/web/server/metrics.js";
import { RecentSymbols } from "../../src/web/server/feeds/recent-symbols.js";
import { loadConfig, ConfigError } from "../../src/config/index.js";

/** The `symbol` label → value of one metric in the Prometheus text. */
async function seriesOf(registry: Registry, name: string): Promise<Map<string, number>> {
  const text = await registry.metrics();
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{symbol="([^"]*)"\\} (\\S+)$`, "gm"))) out.set(m[1]!, Number(m[2]));
  return out;
}

const SYMBOLS = Array.from({ length: 5000 }, (_, i) => `S${i}USDT`);

test("5,000 symbols make at most N + 1 series per symbol-labelled metric; the sum is kept", async () => {
  const metrics = new NodeMetrics({ processMetrics: false, topSymbols: 20 });
  const web = new WebMetrics(metrics.registry, 20);
  let total = 0;
  SYMBOLS.forEach((s, i) => {
    const n = i < 20 ? 1000 + i : 1 + (i % 7); // the first 20 are the busiest
    metrics.tradesAcceptedBy(s, n);
    web.tick(s, n, 1);
    web.bar(s, 1);
    total += n;
  });
  const trades = await seriesOf(metrics.registry, "market_trades_accepted_total");
  assert.equal(trades.size, 21);
  assert.deepEqual([...trades.keys()].filter((k) => k !== "other").sort(), SYMBOLS.slice(0, 20).sort());
  assert.equal([...trades.values()].reduce((a, b) => a + b, 0), total);
  assert.equal(trades.get("S19USDT"), 1019);
  for (const name of ["web_ticks_received_total", "web_trades_seen_total", "web_bars_received_total"]) {
    const series = await seriesOf(metrics.registry, name);
    assert.ok(series.size <= 21, `${name}: ${series.size} series`);
    assert.ok(series.has("other"), name);
  }
  assert.equal([...(await seriesOf(metrics.registry, "web_ticks_received_total")).values()].reduce((a, b) => a + b, 0), 5000);

  // A symbol that becomes the busiest gets its own series at the next scrape.
  metrics.tradesAcceptedBy("S4999USDT", 1_000_000);
  const after = await seriesOf(metrics.registry, "market_trades_accepted_total");
  assert.equal(after.get("S4999USDT"), 1_000_000 + 1 + (4999 % 7));
  assert.equal(after.size, 21);
});

test("TopSymbolTotals: ranking, 'other' only when there is a rest, forget and the tracking bound", () => {
  const t = new TopSymbolTotals(2, 3);
  assert.deepEqual(t.series(), []);
  t.add("A", 5);
  t.add("B", 1);
  assert.deepEqual(t.series(), [["A", 5], ["B", 1]], "no 'other' while everything fits");
  t.add("C", 3);
  assert.deepEqual(t.series(), [["A", 5], ["C", 3], ["other", 1]]);
  t.forget("A");
  assert.deepEqual(t.series(), [["C", 3], ["B", 1], ["other", 5]], "a forgotten symbol's count stays under other");
  t.add("D", 2);
  t.add("E", 9); // over maxTracked 3: the smallest (B) is folded into other
  assert.equal(t.tracked, 3);
  assert.deepEqual(t.series(), [["E", 9], ["C", 3], ["other", 5 + 1 + 2]]);
  assert.deepEqual(new TopSymbolTotals(0).series(), []);
  assert.throws(() => new TopSymbolTotals(-1), RangeError);
  assert.throws(() => new TopSymbolTotals(1.5), RangeError);
  assert.throws(() => new TopSymbolTotals(10, 5), RangeError);
});

test("RecentSymbols forgets symbols gone quiet, and says which", () => {
  let now = 0;
  const evicted: string[] = [];
  const r = new RecentSymbols<number>(() => now, 1000, (s) => evicted.push(s));
  for (let i = 0; i < 5000; i++) r.set(`S${i}`, i);
  now = 500;
  r.set("S7", 7); // refreshed
  now = 1200;
  r.set("NEW", 1); // a set sweeps (more than a tenth of the period since the last sweep)
  assert.deepEqual(r.symbols().sort(), ["NEW", "S7"]);
  assert.equal(evicted.length, 4999);
  assert.equal(r.get("S8"), undefined);
  assert.equal(r.get("S7"), 7);
  assert.throws(() => new RecentSymbols(() => 0, 0), RangeError);
});

test("METRICS_TOP_SYMBOLS: default 20, validated", () => {
  assert.equal(loadConfig([], {}).metricsTopSymbols, 20);
  assert.equal(loadConfig([], { METRICS_TOP_SYMBOLS: "5" }).metricsTopSymbols, 5);
  assert.throws(() => loadConfig([], { METRICS_TOP_SYMBOLS: "-1" }), (e: unknown) => e instanceof ConfigError && /METRICS_TOP_SYMBOLS/.test(e.message));
});
