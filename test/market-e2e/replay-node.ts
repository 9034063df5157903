/**
 * A real node with the ingest and market roles reading a recording from the market simulator,
 * on a private nats-server, with a client connection to look at the log; disposed in reverse.
 */
import { rmSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { marketComponent } from "../../src/node/components/market.js";
import { ingestComponent } from "../../src/node/components/ingest.js";
import { MarketSimulator } from "../../src/simulator/server.js";
import { ReplaySource } from "../../src/simulator/replay-source.js";
import type { Speed } from "../../src/simulator/source.js";
import type { Trade } from "../../src/market/trade.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { loggedTrades, tempDir } from "./support.js";

export interface ReplayNode extends AsyncDisposable {
  nc: NatsConnection;
  node: PlatformNode;
}

/** `flags`: the node's own (windows, idle timeout, …); it reads BTCUSDT. */
export async function startReplayNode(o: { recording: string; speed: Speed; nodeId: string; flags: readonly string[] }): Promise<ReplayNode> {
  const server = await startNatsServer();
  const dataDir = tempDir(`${o.nodeId}-`);
  const simulator = await MarketSimulator.start({ source: await ReplaySource.load(o.recording, o.speed), host: "127.0.0.1", port: 0 });
  const nc = await connect({ servers: server.url });
  const config = loadConfig(["--node-id", o.nodeId, "--roles", "market,ingest", "--symbols", "BTCUSDT", "--data-dir", dataDir, ...o.flags], { NATS_URL: server.url });
  const node = await PlatformNode.start({
    config,
    nc,
    log: createLogger({ node: o.nodeId, level: "warn" }),
    components: [marketComponent({ tickIntervalMs: 0 }), ingestComponent({ baseUrl: simulator.url })],
  });
  return {
    nc,
    node,
    async [Symbol.asyncDispose]() {
      await node.stop();
      await simulator.close();
      await nc.close().catch(() => {});
      await server[Symbol.asyncDispose]();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the log holds `count` trades, and returns them. */
export async function waitForLoggedTrades(nc: NatsConnection, count: number): Promise<Trade[]> {
  return waitFor(
    async () => {
      const logged = await loggedTrades(nc);
      return logged.length >= count ? logged : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `all ${count.toLocaleString("en-US")} trades in the log` },
  );
}
