/**
 * The shipped monitoring (deploy/prometheus, deploy/grafana), with Debian's real promtool and
 * prometheus: the config and rules check, every alert fires on the series in alerts.test.yml and
 * stays quiet on the others, every metric a rule reads is one the node exports, the Grafana
 * dashboards are well formed and use the provisioned data source, and a real Prometheus scraping a
 * real node during a replay loads the rules, evaluates each without error, fires nothing on a
 * healthy node, and returns data for every dashboard panel's query.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { NodeMetrics } from "../../src/node/metrics.js";
import { WebMetrics } from "../../src/web/server/metrics.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";
import { startPipeline } from "../web-e2e/stack.js";

const DIR = resolve("deploy/prometheus");
const GRAFANA = resolve("deploy/grafana");

interface Dashboard {
  uid: string;
  title: string;
  panels: { id: number; title: string; datasource: { uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets: { refId: string; expr: string; datasource: { uid: string } }[] }[];
}

function dashboards(): Dashboard[] {
  return readdirSync(join(GRAFANA, "dashboards")).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(readFileSync(join(GRAFANA, "dashboards", f), "utf8")) as Dashboard);
}
const PROMTOOL = process.env.PROMTOOL_BIN ?? "/usr/bin/promtool";
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? join(dirname(PROMTOOL), "prometheus");
/** Outside CI a machine without promtool skips these; CI installs Debian's prometheus package, so there they fail. */
const skip: string | false = !existsSync(PROMTOOL) && !process.env.CI && `no promtool at ${PROMTOOL} (apt-get install -y prometheus)`;

function promtool(...args: string[]): string {
  const r = spawnSync(PROMTOOL, args, { cwd: DIR, encoding: "utf8" });
  assert.equal(r.status, 0, `promtool ${args.join(" ")}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Every alert's name and expression in alerts.yml (a small reader for its one layout). */
function alertRules(): { alert: string; expr: string }[] {
  const lines = readFileSync(join(DIR, "alerts.yml"), "utf8").split("\n");
  const out: { alert: string; expr: string }[] = [];
  for (const [i, line] of lines.entries()) {
    const alert = /^\s*- alert: (\w+)/.exec(line)?.[1];
    if (!alert) continue;
    const expr = lines.slice(i + 1).map((l) => /^\s*expr: (.+)$/.exec(l)?.[1]).find((e) => e !== undefined);
    assert.ok(expr, `${alert} has an expr`);
    out.push({ alert, expr });
  }
  return out;
}

/** Metric names an expression reads: label matchers and `by (…)` lists taken out, then identifiers not followed by `(` (a function). */
function metricsOf(expr: string): string[] {
  const bare = expr.replace(/\{[^}]*\}/g, "").replace(/\b(by|without)\s*\([^)]*\)/g, "");
  const names = bare.match(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/g) ?? [];
  return [...new Set(names.filter((n) => !["and", "or", "unless", "bool", "offset"].includes(n)))];
}

test("promtool: the config and the rules check, and every alert fires exactly on its test series", { skip }, () => {
  assert.match(promtool("check", "config", "prometheus.yml"), /SUCCESS: prometheus.yml is valid/);
  assert.match(promtool("check", "rules", "alerts.yml"), /SUCCESS: 12 rules found/);
  assert.match(promtool("test", "rules", "alerts.test.yml"), /SUCCESS/);
  const tested = new Set([...readFileSync(join(DIR, "alerts.test.yml"), "utf8").matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
  for (const { alert } of alertRules()) assert.ok(tested.has(alert), `${alert} has a promtool test`);
});

test("compose runs Prometheus on this directory, and it scrapes every platform node on its web port", () => {
  const compose = readFileSync("docker-compose.yaml", "utf8");
  const nodes = [...compose.matchAll(/^ {2}(node\d+):\n {4}<<: \*node$/gm)].map((m) => m[1]!);
  assert.deepEqual(nodes, ["node1", "node2", "node3"]);
  const service = compose.slice(compose.indexOf("\n  prometheus:\n"));
  assert.match(service, /volumes: \[\.\/deploy\/prometheus:\/etc\/prometheus:ro/);
  assert.match(service, /--config\.file=\/etc\/prometheus\/prometheus\.yml/);
  const config = readFileSync(join(DIR, "prometheus.yml"), "utf8");
  const targets = /targets: \[([^\]]*)\]/.exec(config)?.[1]?.split(",").map((t) => JSON.parse(t.trim()) as string);
  assert.deepEqual(targets, nodes.map((n) => `${n}:3000`), "every node, on WEB_PORT's default");
});

test("Grafana: five dashboards, every panel on the provisioned Prometheus data source with a query; compose mounts what the providers read", () => {
  const datasource = readFileSync(join(GRAFANA, "provisioning/datasources/prometheus.yml"), "utf8");
  const uid = /^\s+uid: (\S+)$/m.exec(datasource)?.[1];
  assert.equal(uid, "prometheus");
  assert.match(datasource, /url: http:\/\/prometheus:9090/, "the compose service");
  const boards = dashboards();
  assert.deepEqual(boards.map((b) => b.uid), ["tickhouse-cluster", "tickhouse-lake", "tickhouse-market", "tickhouse-ml", "tickhouse-nats"]);
  for (const b of boards) {
    assert.ok(b.panels.length > 0, b.uid);
    assert.equal(new Set(b.panels.map((p) => p.id)).size, b.panels.length, `${b.uid}: panel ids unique`);
    for (const p of b.panels) {
      assert.equal(p.datasource.uid, uid, `${b.uid}/${p.title}`);
      assert.ok(p.gridPos.w > 0 && p.gridPos.h > 0 && p.gridPos.x + p.gridPos.w <= 24, `${b.uid}/${p.title}: on the 24-column grid`);
      assert.ok(p.targets.length > 0 && p.targets.every((t) => t.expr.length > 0 && t.datasource.uid === uid), `${b.uid}/${p.title}: queries`);
    }
  }
  const provider = readFileSync(join(GRAFANA, "provisioning/dashboards/tickhouse.yml"), "utf8");
  const path = /path: (\S+)/.exec(provider)?.[1];
  const compose = readFileSync("docker-compose.yaml", "utf8");
  assert.ok(compose.includes(`./deploy/grafana/dashboards:${path}:ro`), `compose mounts the dashboards at ${path}`);
  assert.ok(compose.includes("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"));
});

test("every metric a dashboard panel reads is one the node exports, or Prometheus' own", async () => {
  const metrics = new NodeMetrics();
  metrics.watchQuality({ last: null, runs: 0, running: null });
  metrics.watchMlops(() => null);
  metrics.watchMarket({ bars: 0, candles: 0, ticks: 0, lateTrades: 0, invalidTrades: 0, gaps: 0, missingTrades: 0, predictionFailures: 0 });
  metrics.watchLake(["bronze_trades", "silver_bars"]);
  new WebMetrics(metrics.registry); // the web server's own, on the node's registry
  const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  // Histograms are exported under their base name; queries read their _bucket/_count series.
  const known = (n: string) => exported.has(n) || exported.has(n.replace(/_(bucket|count|sum)$/, "")) || ["up", "vector"].includes(n);
  for (const b of dashboards()) for (const p of b.panels) for (const t of p.targets) for (const n of metricsOf(t.expr)) assert.ok(known(n), `${b.uid}/${p.title} reads ${n}, which no node exports`);
});

test("every metric an alert reads is one the node exports (a rename breaks this test, not the alert in silence)", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.watchQuality({ last: null, runs: 0, running: null });
  metrics.watchMlops(() => null);
  const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  const rules = alertRules();
  assert.equal(rules.length, 12);
  for (const { alert, expr } of rules) {
    const read = metricsOf(expr).filter((n) => n !== "up"); // Prometheus' own
    assert.ok(read.length > 0 || expr.startsWith("up"), `${alert}: found the metric in ${expr}`);
    for (const name of read) assert.ok(exported.has(name), `${alert} reads ${name}, which no node exports`);
  }
});

test("a real Prometheus scraping a real node during a replay: rules loaded and healthy, nothing firing, data for every dashboard panel", { skip, timeout: 240_000 }, async () => {
  await using stack = await startPipeline({ nodeId: "prom1", roles: "market,ingest,serving,lake,web,quality,ml", speed: 20 });
  const target = new URL(stack.web.url).host;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  // The shipped rules, with a target and intervals fit for a test.
  writeFileSync(join(dir, "prometheus.yml"), [
    "global: { scrape_interval: 1s, evaluation_interval: 1s }",
    `rule_files: [${JSON.stringify(join(DIR, "alerts.yml"))}]`,
    "scrape_configs:",
    "  - job_name: tickhouse",
    `    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
    "",
  ].join("\n"));
  const server = spawn(PROMETHEUS, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr!.on("data", (d) => (log += d));
  const api = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`);
    const body = (await res.json()) as { status: string; data: unknown };
    assert.equal(body.status, "success", `${path}: ${JSON.stringify(body)}`);
    return body.data;
  };
  const query = async (q: string) => ((await api(`query?query=${encodeURIComponent(q)}`)) as { result: { metric: Record<string, string>; value: [number, string] }[] }).result;
  try {
    await waitFor(async () => (await query('up{job="tickhouse"} == 1').catch(() => [])).length === 1, { timeoutMs: 60_000, intervalMs: 500, what: `Prometheus scraping the node (its log: ${log.slice(-500)})` });
    // The series the alerts read, once the replay has flowed through ingest, the lake and serving.
    const wanted = ['ingest_connection_up{source="binance"} == 1', 'lake_commit_lag_seconds{table="bronze_trades"}', 'serving_lag_messages{consumer="serving"}', "nats_log_readable == 1", "nats_server_up == 1", "quality_runs_total"];
    for (const q of wanted) await waitFor(async () => (await query(q)).length > 0, { timeoutMs: 60_000, intervalMs: 500, what: `data for ${q}` });
    // Every rule evaluated at least once, without error.
    const rules = await waitFor(
      async () => {
        const groups = ((await api("rules")) as { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] }).groups;
        const all = groups.flatMap((g) => g.rules);
        return all.length === 12 && all.every((r) => !r.lastEvaluation.startsWith("0001")) ? all : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "the 12 rules evaluated" },
    );
    for (const r of rules) assert.equal(r.health, "ok", `${r.name}: ${r.lastError ?? ""}`);
    assert.deepEqual((await query('ALERTS{alertstate="firing"}')).map((a) => a.metric.alertname), [], "a healthy node fires nothing");
    // Every panel's query returns data (rates need two scrapes in their window: waited for).
    for (const b of dashboards()) {
      for (const p of b.panels) {
        for (const t of p.targets) await waitFor(async () => (await query(t.expr)).length > 0, { timeoutMs: 30_000, intervalMs: 500, what: `data for ${b.uid} / ${p.title} / ${t.expr}` });
      }
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
});
