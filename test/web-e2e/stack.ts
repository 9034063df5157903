/**
 * The real pipeline for the web end-to-end tests: a private nats-server (with its monitoring
 * endpoint, read by the node for the nats_server_* metrics), the market simulator
 * replaying the BTCUSDT recording, and one PlatformNode in-process with the roles asked for
 * (embedded PGlite in a temp DATA_DIR, web server on a free port).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { componentsFor } from "../../src/node/roles.js";
import { marketComponent } from "../../src/node/components/market.js";
import { NodeMetrics } from "../../src/node/metrics.js";
import type { WebServer } from "../../src/web/server/server.js";
import { MarketSimulator } from "../../src/simulator/server.js";
import { ReplaySource } from "../../src/simulator/replay-source.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { sharedData } from "../helpers/shared-data.js";

export const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");

export interface PipelineStack extends AsyncDisposable {
  nats: NatsServerHandle;
  nc: NatsConnection;
  simulator: MarketSimulator;
  node: PlatformNode;
  metrics: NodeMetrics;
  /** The node's web server (roles include web). */
  web: WebServer;
}

/** `tickIntervalMs`: the symbol actors' live tick cadence (the product default, 250 ms, when omitted). */
/** `flags`: more of the node's own flags. */
export async function startPipeline(options: { nodeId: string; roles: string; speed: number | "max"; tickIntervalMs?: number; flags?: readonly string[] }): Promise<PipelineStack> {
  const nats = await startNatsServer({ monitor: true });
  const dataDir = mkdtempSync(join(tmpdir(), "web-e2e-"));
  const simulator = await MarketSimulator.start({ source: await ReplaySource.load(RECORDING, options.speed), host: "127.0.0.1", port: 0 });
  const nc = await connect({ servers: nats.url });
  const argv = ["--node-id", options.nodeId, "--roles", options.roles, "--symbols", "BTCUSDT", "--data-dir", dataDir, "--web-port", "0", "--binance-ws-url", simulator.url, ...(options.flags ?? [])];
  const config = loadConfig(argv, { NATS_URL: nats.url, NATS_MONITOR_URL: nats.monitorUrl });
  const metrics = new NodeMetrics();
  const tickIntervalMs = options.tickIntervalMs;
  const components = componentsFor(config, { metrics }).map((c) => (c.name === "market" && tickIntervalMs !== undefined ? marketComponent({ metrics, tickIntervalMs }) : c));
  const node = await PlatformNode.start({ config, nc, log: createLogger({ node: options.nodeId, level: "warn" }), components });
  const webComponent = components.find((c) => c.name === "web") as { server(): WebServer | undefined } | undefined;
  const web = webComponent?.server();
  const dispose = async () => {
    await node.stop().catch(() => {});
    await simulator.close().catch(() => {});
    await nc.close().catch(() => {});
    await nats[Symbol.asyncDispose]();
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!web) {
    await dispose();
    throw new Error(`roles "${options.roles}" started no web server`);
  }
  return { nats, nc, simulator, node, metrics, web, [Symbol.asyncDispose]: dispose };
}

/** Parses Prometheus text into `name{labels}` → value (comment lines skipped). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

export async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}
