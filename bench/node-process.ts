/**
 * Real node processes (`node --import tsx src/main.ts ...`) and the market simulator in its own
 * process (src/cli/simulator.ts), for benches that run a cluster as separate OS processes (soak,
 * scale). Each node logs to `<dataDir>/../<id>.log` and keeps its last lines for failure reports.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { NatsConnection } from "@nats-io/transport-node";
import { callAdmin } from "../src/admin/client.js";
import { NODE_V8_FLAGS } from "../src/node/v8-flags.js";
import type { SimulatorStats } from "../src/simulator/server.js";
import type { NodeStatus } from "../src/runtime/status.js";
import { freePort } from "../test/helpers/ports.js";
import { pollUntil } from "./runner/deadline.js";

/** The admin token the bench's nodes accept (ADMIN_TOKENS). */
export const BENCH_ADMIN_TOKEN = "bench-cluster-admin-token";

export interface NodeProc {
  id: string;
  child: ChildProcess;
  /** The last 30 lines the node printed, prefixed with its id. */
  tail: string[];
  exited: Promise<number | null>;
}

export interface NodeArgs {
  natsUrl: string;
  dataDir: string;
  lakeDir: string;
  wsUrl: string;
  symbols: readonly string[];
  /** More node flags, e.g. ["--window-size", "2s"]. */
  flags?: readonly string[];
}

/** BENCH_NODE_PROFILE=<dir>: every node process writes a V8 CPU profile there when it exits. */
function profileFlags(): string[] {
  const dir = process.env.BENCH_NODE_PROFILE;
  return dir ? ["--cpu-prof", "--cpu-prof-dir", dir] : [];
}

export function startNodeProcess(id: string, roles: string, args: NodeArgs): NodeProc {
  const argv = [...NODE_V8_FLAGS, ...profileFlags(), "--import", "tsx", "src/main.ts", "--node-id", id, "--roles", roles, "--data-dir", args.dataDir, "--lake-uri", args.lakeDir, "--symbols", args.symbols.join(","), "--binance-ws-url", args.wsUrl, "--lease-ttl", "5s", "--log-level", "warn", ...(args.flags ?? [])];
  const child = spawn(process.execPath, argv, { env: { ...process.env, NATS_URL: args.natsUrl, ADMIN_TOKENS: BENCH_ADMIN_TOKEN }, stdio: ["ignore", "pipe", "pipe"] });
  const logFile = createWriteStream(join(args.dataDir, "..", `${id}.log`), { flags: "a" });
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(`${id}: ${line}`);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { id, child, tail, exited };
}

/** Every node's answer to an admin command (none when no node answers in time). */
export async function adminReplies<T>(nc: NatsConnection, command: string, timeoutMs = 2000): Promise<Array<{ nodeId: string; result: T }>> {
  try {
    const replies = await callAdmin(nc, command, [], { token: BENCH_ADMIN_TOKEN, timeoutMs });
    return replies.flatMap((r) => (r.ok ? [{ nodeId: r.nodeId, result: r.result as T }] : []));
  } catch {
    return [];
  }
}

export async function nodeStatuses(nc: NatsConnection): Promise<NodeStatus[]> {
  return (await adminReplies<NodeStatus>(nc, "status")).map((r) => r.result);
}

export interface SimulatorProc {
  child: ChildProcess;
  port: number;
  wsUrl: string;
  stats(): Promise<SimulatorStats>;
  /** Throws if the simulator has exited. */
  alive(): void;
}

/** Starts src/cli/simulator.ts on a free port with `flags` (e.g. --symbols, --rate, --total, --start) and waits until it answers. */
export async function startSimulatorProcess(flags: readonly string[]): Promise<SimulatorProc> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/simulator.ts", ...flags, "--port", String(port)], { stdio: ["ignore", "ignore", "inherit"] });
  let exit: string | undefined;
  child.once("exit", (code, signal) => (exit = `simulator exited (${signal ?? code})`));
  const alive = () => {
    if (exit) throw new Error(exit);
  };
  const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/sim/stats`)).json()) as SimulatorStats;
  await pollUntil("the market simulator to answer", 60_000, async () => {
    alive();
    return (await fetch(`http://127.0.0.1:${port}/sim/stats`)).ok;
  }).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return { child, port, wsUrl: `ws://127.0.0.1:${port}`, stats, alive };
}
