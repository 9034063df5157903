/** Real `npm start` node processes for the market end-to-end tests, and their admin status. */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { NatsConnection } from "@nats-io/transport-node";
import { callAdmin } from "../../src/admin/client.js";
import type { NodeStatus } from "../../src/runtime/status.js";

export interface NodeProcess {
  id: string;
  child: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for diagnostics. */
  tail(): string[];
  exited: Promise<void>;
}

export function startMarketNode(natsUrl: string, id: string, dataDir: string, extraArgs: string[] = []): NodeProcess {
  const args = ["--import", "tsx", "src/main.ts", "--roles", "market", "--node-id", id, "--data-dir", dataDir, "--lease-ttl", "3s", "--log-level", "warn", ...extraArgs];
  const child = spawn(process.execPath, args, { env: { ...process.env, NATS_URL: natsUrl }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const keep = (l: string) => {
    lines.push(`${id}: ${l}`);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", (l) => keep(`stderr ${l}`));
  const exited = child.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { id, child, tail: () => [...lines], exited };
}

/** The market component's part of a node status (see src/node/components/market.ts). */
export interface MarketStatus {
  liveSymbols: string[];
  bars: number;
}

/** Status of every node that answers now (none answering is an empty list, not an error). */
export async function nodeStatuses(nc: NatsConnection, token: string): Promise<NodeStatus[]> {
  try {
    const replies = await callAdmin(nc, "status", [], { token, timeoutMs: 2000 });
    return replies.flatMap((r) => (r.ok ? [r.result as NodeStatus] : []));
  } catch {
    return [];
  }
}

export function marketOf(status: NodeStatus): MarketStatus | undefined {
  return status.components["market"] as MarketStatus | undefined;
}
