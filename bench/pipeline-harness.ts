/**
 * The live market path for the pipeline benchmark: a private nats-server, the synthetic market in
 * its own process (src/cli/simulator.ts), and one in-process node with the market and ingest
 * components (PlatformNode, as test/market-e2e/replay.test.ts starts it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { callAdmin } from "../src/admin/client.js";
import type { AdminReply } from "../src/admin/protocol.js";
import { localAdminToken } from "../src/admin/auth.js";
import { loadConfig } from "../src/config/index.js";
import { createLogger } from "../src/runtime/log.js";
import { PlatformNode } from "../src/node/node.js";
import { marketComponent } from "../src/node/components/market.js";
import { ingestComponent } from "../src/node/components/ingest.js";
import { defaultSymbols } from "../src/simulator/synthetic-source.js";
import type { SimulatorStats } from "../src/simulator/server.js";
import type { SymbolStatus } from "../src/actors/symbol/state.js";
import { startNatsServer, type NatsServerHandle } from "../test/helpers/nats-server.js";
import { freePort } from "../test/helpers/ports.js";
import { waitFor } from "../test/helpers/wait.js";
import { tempDir } from "../test/market-e2e/support.js";

export interface PipelineSpec {
  /** At least 2 (see go()). */
  symbols: number;
  /** Total trades per second over all symbols, or "max". */
  rate: number | "max";
  total: number;
  /** Node flags, e.g. ["--window-size", "2s", "--window-slide", "1s"]. */
  nodeFlags?: string[];
}

export interface Pipeline extends AsyncDisposable {
  nc: NatsConnection;
  nats: NatsServerHandle;
  simulator: ChildProcess;
  node: PlatformNode;
  market: ReturnType<typeof marketComponent>;
  symbols: string[];
  /** Subscribes the last symbol: the simulator starts emitting. */
  go(): Promise<void>;
  /** The node's answer to an admin command, signed with its local token. */
  admin(command: string, args?: string[]): Promise<AdminReply | undefined>;
  simStats(): Promise<SimulatorStats>;
  /** Trades every symbol actor has accepted (its own counters, asked through the region). */
  folded(): Promise<{ trades: number; gaps: number; missing: number; duplicates: number }>;
}

export async function startPipeline(spec: PipelineSpec): Promise<Pipeline> {
  const nats = await startNatsServer();
  const dataDir = tempDir("bench-pipeline-");
  const port = await freePort();
  const simArgs = ["--import", "tsx", "src/cli/simulator.ts", "--symbols", String(spec.symbols), "--rate", String(spec.rate), "--total", String(spec.total), "--port", String(port), "--start", "all"];
  const simulator = spawn(process.execPath, simArgs, { stdio: ["ignore", "ignore", "inherit"] });
  const nc = await connect({ servers: nats.url });
  const symbols = defaultSymbols(spec.symbols);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/sim/stats`)).ok, { timeoutMs: 30_000, what: "simulator up" });
  // The node subscribes to all symbols but the last; `go()` subscribes that one, which starts the
  // simulator (it starts once every stream has a subscriber), so timing starts with a ready node.
  const config = loadConfig(["--node-id", "bench1", "--roles", "market,ingest", "--symbols", symbols.slice(0, -1).join(","), "--data-dir", dataDir, "--binance-rest-url", `http://127.0.0.1:${port}`, ...(spec.nodeFlags ?? [])], { NATS_URL: nats.url });
  const market = marketComponent({ tickIntervalMs: 0 });
  const node = await PlatformNode.start({ config, nc, log: createLogger({ node: "bench1", level: "warn" }), components: [market, ingestComponent({ baseUrl: `ws://127.0.0.1:${port}` })] });
  return {
    nc,
    nats,
    simulator,
    node,
    market,
    symbols,
    async go() {
      const [reply] = await callAdmin(nc, "subscribe", [symbols[symbols.length - 1]!], { token: localAdminToken(dataDir), nodeId: "bench1", timeoutMs: 30_000 });
      if (!reply?.ok) throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
    },
    admin: async (command, args = []) => (await callAdmin(nc, command, args, { token: localAdminToken(dataDir), nodeId: "bench1", timeoutMs: 30_000 }))[0],
    simStats: async () => (await (await fetch(`http://127.0.0.1:${port}/sim/stats`)).json()) as SimulatorStats,
    async folded() {
      const region = market.region();
      if (!region) return { trades: 0, gaps: 0, missing: 0, duplicates: 0 };
      const statuses = await Promise.all(symbols.map((s) => region.ask<SymbolStatus>(s, { type: "status" }, 30_000)));
      const sum = (f: (c: SymbolStatus["counters"]) => number) => statuses.reduce((n, s) => n + f(s.counters), 0);
      return { trades: sum((c) => c.trades), gaps: sum((c) => c.gaps), missing: sum((c) => c.missingTrades), duplicates: sum((c) => c.duplicates) };
    },
    async [Symbol.asyncDispose]() {
      await node.stop().catch(() => {});
      simulator.kill("SIGTERM");
      await nc.close().catch(() => {});
      await nats[Symbol.asyncDispose]();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
