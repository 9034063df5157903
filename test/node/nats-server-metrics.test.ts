/**
 * The NATS servers' own metrics (nats_server_*), read from real nats-servers' monitoring
 * endpoints when scraped: the figures follow the server (connections, messages, JetStream storage,
 * cluster routes), and a server that is down, hangs or is not a NATS server reads as
 * nats_server_up 0 while the scrape itself succeeds within the timeout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Registry } from "prom-client";
import { loadConfig, ConfigError } from "../../src/config/index.js";
import { NodeMetrics } from "../../src/node/metrics.js";
import { NATS_MONITOR_TIMEOUT_MS, NATS_SERVER_METRICS, registerNatsServerMetrics } from "../../src/node/nats-server-metrics.js";
import { startNatsCluster, startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { parseMetrics } from "../web-e2e/stack.js";

/** A registry with only the NATS server metrics, reading `urls`; `scrape` parses one /metrics answer. */
function monitor(urls: string[], options: Parameters<typeof registerNatsServerMetrics>[2] = {}) {
  const registry = new Registry();
  registerNatsServerMetrics(registry, () => urls, options);
  return { scrape: async () => parseMetrics(await registry.metrics()) };
}

/** An HTTP server on a free loopback port answering every request with `handle` (never, when it does nothing). */
async function httpServer(handle: Parameters<typeof createServer>[1]): Promise<Server & AsyncDisposable & { url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("no address");
  return Object.assign(server, {
    url: `http://127.0.0.1:${address.port}`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  });
}

test("NATS_MONITOR_URL: empty by default, a comma-separated list of http(s) URLs, refused with credentials (not echoed) or another scheme", () => {
  assert.deepEqual(loadConfig([], {}).natsMonitorUrls, []);
  assert.deepEqual(loadConfig([], { NATS_MONITOR_URL: "http://nats1:8222, http://nats2:8222,http://nats1:8222" }).natsMonitorUrls, ["http://nats1:8222", "http://nats2:8222"]);
  assert.deepEqual(loadConfig(["--nats-monitor-url", "https://n:8222/base/"], {}).natsMonitorUrls, ["https://n:8222/base/"]);
  assert.throws(() => loadConfig([], { NATS_MONITOR_URL: "nats://nats1:4222" }), (e: unknown) => e instanceof ConfigError && /NATS_MONITOR_URL/.test(e.message));
  assert.throws(() => loadConfig([], { NATS_MONITOR_URL: "http://u:s3cr3t@nats1:8222" }), (e: unknown) => e instanceof ConfigError && /NATS_MONITOR_URL/.test(e.message) && !e.message.includes("s3cr3t"));
});

test("every figure of /varz and /jsz lands in its metric, labelled by the URL's host:port; under a base path too", async () => {
  const varz = {
    server_id: "NABC", server_name: "nats1", version: "2.10.29", cluster: { name: "tickhouse" },
    connections: 7, subscriptions: 120, routes: 6, slow_consumers: 2, in_msgs: 1000, out_msgs: 2000, in_bytes: 50_000, out_bytes: 90_000, mem: 3e7, cpu: 12.5,
    jetstream: { config: { max_memory: 1e9, max_storage: 5e10 }, stats: { memory: 10, storage: 4096, reserved_memory: 0, reserved_storage: 2147483648, api: { total: 300, errors: 4 } } },
  };
  const jsz = { streams: 9, consumers: 14 };
  await using http = await httpServer((req, res) => {
    const body = req.url === "/base/varz" ? varz : req.url === "/base/jsz" ? jsz : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
  const server = new URL(http.url).host;
  const m = await monitor([`${http.url}/base`]).scrape();
  const at = (name: string) => m.get(`${name}{server="${server}"}`);
  const expected: Record<string, number> = {
    nats_server_up: 1, nats_server_connections: 7, nats_server_subscriptions: 120, nats_server_routes: 6,
    nats_server_slow_consumers_total: 2, nats_server_in_msgs_total: 1000, nats_server_out_msgs_total: 2000, nats_server_in_bytes_total: 50_000, nats_server_out_bytes_total: 90_000,
    nats_server_mem_bytes: 3e7, nats_server_cpu_percent: 12.5,
    nats_server_jetstream_store_bytes: 4096, nats_server_jetstream_store_reserved_bytes: 2147483648, nats_server_jetstream_store_max_bytes: 5e10,
    nats_server_jetstream_memory_bytes: 10, nats_server_jetstream_memory_reserved_bytes: 0, nats_server_jetstream_memory_max_bytes: 1e9,
    nats_server_jetstream_api_requests_total: 300, nats_server_jetstream_api_errors_total: 4, nats_server_jetstream_streams: 9, nats_server_jetstream_consumers: 14,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(at(name), value, name);
  assert.equal(m.get(`nats_server_info{server="${server}",server_name="nats1",version="2.10.29",cluster="tickhouse"}`), 1);
  assert.deepEqual(new Set(NATS_SERVER_METRICS), new Set([...Object.keys(expected), "nats_server_info"]), "every registered metric is checked here");
});

test("a server without JetStream, or whose /jsz fails, is up with the core figures and no JetStream series", async () => {
  await using http = await httpServer((req, res) => {
    if (req.url === "/varz") res.writeHead(200).end(JSON.stringify({ server_id: "N1", connections: 1, jetstream: {} }));
    else res.writeHead(500).end();
  });
  const server = new URL(http.url).host;
  const m = await monitor([http.url]).scrape();
  assert.equal(m.get(`nats_server_up{server="${server}"}`), 1);
  assert.equal(m.get(`nats_server_connections{server="${server}"}`), 1);
  assert.deepEqual([...m.keys()].filter((k) => k.startsWith("nats_server_jetstream")), []);
  assert.equal(m.has(`nats_server_routes{server="${server}"}`), false, "a figure the server did not report gets no series, not a 0");
  assert.equal(m.get(`nats_server_info{server="${server}",server_name="N1",version="",cluster=""}`), 1);
});

test("hanging up, not answering, or not a NATS server: up 0 and nothing else for it, the scrape answers within the timeout, each change reported once", async () => {
  // A port that refuses is the real server's case below (killed); a free port here could be taken
  // by a concurrent test's server before the read, so this one accepts and hangs up at once.
  const closing = createNetServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => closing.listen(0, "127.0.0.1", resolve));
  await using _closing = { [Symbol.asyncDispose]: () => new Promise<void>((r) => closing.close(() => r())) };
  const hangsUp = `http://127.0.0.1:${(closing.address() as AddressInfo).port}`;
  await using hanging = await httpServer(() => {}); // accepts, never answers
  await using html = await httpServer((_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>grafana</html>"));
  await using teapot = await httpServer((_, res) => res.writeHead(418).end());
  const urls = [hangsUp, hanging.url, html.url, teapot.url];
  const changes: { server: string; up: boolean; reason?: string }[] = [];
  let clock = 0;
  const m = monitor(urls, { timeoutMs: 500, now: () => clock, onChange: ({ server, up, reason }) => changes.push({ server, up, ...(reason ? { reason } : {}) }) });
  const started = Date.now();
  const first = await m.scrape();
  const took = Date.now() - started;
  assert.ok(took >= 450 && took < 3_000, `the hanging server is given up after 500 ms: ${took} ms`);
  for (const url of urls) assert.equal(first.get(`nats_server_up{server="${new URL(url).host}"}`), 0, url);
  assert.deepEqual([...first.keys()].filter((k) => k.startsWith("nats_server_") && !k.startsWith("nats_server_up{")), []);
  assert.deepEqual(changes.map((c) => c.up), [false, false, false, false]);
  assert.match(changes[0]!.reason!, /fetch failed/);
  assert.match(changes[1]!.reason!, /no answer within 500 ms/);
  assert.match(changes[2]!.reason!, /JSON|Unexpected token/);
  assert.match(changes[3]!.reason!, /HTTP 418/);
  clock += 1_000; // past the read shared by close scrapes: the next one reads again
  const second = await m.scrape();
  assert.equal(second.get(`nats_server_up{server="${new URL(hangsUp).host}"}`), 0);
  assert.equal(changes.length, 4, "still down: not reported again");
});

test("a real nats-server: connections follow clients, messages and JetStream storage grow; killed: up 0 within the timeout; back: up 1", async () => {
  await using nats = await startNatsServer({ monitor: true, extraArgs: ["--name", "probe"] });
  const monitorUrl = nats.monitorUrl!;
  const server = new URL(monitorUrl).host;
  const metrics = new NodeMetrics({ processMetrics: false });
  const events: boolean[] = [];
  metrics.watchNatsServers([monitorUrl], ({ up }) => events.push(up));
  const scrape = async () => parseMetrics(await metrics.registry.metrics());
  const at = (m: Map<string, number>, name: string) => m.get(`${name}{server="${server}"}`);

  const before = await scrape();
  assert.equal(at(before, "nats_server_up"), 1);
  assert.match([...before.keys()].find((k) => k.startsWith("nats_server_info{")) ?? "", new RegExp(`^nats_server_info\\{server="${server}",server_name="probe",version="2\\.\\d+\\.\\d+",cluster=""\\}$`));
  assert.equal(at(before, "nats_server_routes"), 0, "a single server has no routes");
  assert.ok(at(before, "nats_server_mem_bytes")! > 1e6, "resident memory in bytes");
  assert.ok(at(before, "nats_server_jetstream_store_max_bytes")! > 0);
  const connections = at(before, "nats_server_connections")!;

  const a = await connect({ servers: nats.url });
  const b = await connect({ servers: nats.url });
  try {
    await waitFor(async () => at(await scrape(), "nats_server_connections") === connections + 2, { what: "two more connections" });
    const jsm = await jetstreamManager(a);
    await jsm.streams.add({ name: "PROBE", subjects: ["probe.>"] });
    const js = jetstream(a);
    for (let i = 0; i < 20; i++) await js.publish("probe.x", "x".repeat(100));
    const grown = await waitFor(async () => {
      const m = await scrape();
      return at(m, "nats_server_jetstream_store_bytes")! >= 2000 && at(m, "nats_server_jetstream_streams") === 1 ? m : undefined;
    }, { what: "the stream's 20 messages in JetStream storage" });
    assert.ok(at(grown, "nats_server_in_msgs_total")! >= at(before, "nats_server_in_msgs_total")! + 20);
    assert.ok(at(grown, "nats_server_in_bytes_total")! >= at(before, "nats_server_in_bytes_total")! + 2000);
    assert.ok(at(grown, "nats_server_jetstream_api_requests_total")! > 0);
    await b.close();
    await waitFor(async () => at(await scrape(), "nats_server_connections") === connections + 1, { what: "one connection fewer" });
  } finally {
    await a.close().catch(() => {});
    await b.close().catch(() => {});
  }

  await nats.kill();
  const down = await waitFor(async () => {
    const started = Date.now();
    const m = await scrape();
    assert.ok(Date.now() - started < NATS_MONITOR_TIMEOUT_MS + 1_000, "the scrape answers within the timeout");
    return at(m, "nats_server_up") === 0 ? m : undefined;
  }, { what: "nats_server_up 0" });
  assert.equal(at(down, "nats_server_connections"), undefined, "no stale figures for a server that is down");

  await nats.restart();
  await waitFor(async () => at(await scrape(), "nats_server_up") === 1, { timeoutMs: 15_000, what: "nats_server_up back to 1" });
  assert.deepEqual(events, [true, false, true], "one report per change");
});

test("a 3-server cluster: each server's routes to the other two, one series set per server", async () => {
  await using cluster = await startNatsCluster(3, { monitor: true });
  const urls = cluster.servers.map((s) => s.monitorUrl!);
  const m = monitor(urls);
  const scraped = await waitFor(async () => {
    const x = await m.scrape();
    return urls.every((u) => (x.get(`nats_server_routes{server="${new URL(u).host}"}`) ?? 0) >= 2) ? x : undefined;
  }, { timeoutMs: 15_000, what: "every server routed to the other two" });
  const info = [...scraped.keys()].filter((k) => k.startsWith("nats_server_info{")).sort();
  assert.equal(info.length, 3);
  for (const [i, u] of urls.entries()) {
    const server = new URL(u).host;
    assert.equal(scraped.get(`nats_server_up{server="${server}"}`), 1);
    assert.ok(info.some((k) => k.startsWith(`nats_server_info{server="${server}",server_name="n${i}",`) && k.endsWith(',cluster="test"}')), `${server} is n${i} of cluster test: ${info.join(" ")}`);
  }
});
