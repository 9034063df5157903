/**
 * Ctrl-C on `npm start` delivers SIGINT twice (the terminal's process group, and npm passing its
 * own on). A second SIGINT during the shutdown must not kill the node: it finishes its bounded
 * shutdown and prints its summary. The node here has a partition that cannot drain, so its
 * shutdown lasts until SHUTDOWN_TIMEOUT and the second signal surely lands inside it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import { SUMMARY_PREFIX } from "../../src/node/shutdown-summary.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

/** The stalled-node fixture as a child process, with its output collected as it arrives. */
interface StalledNode extends Disposable {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved in arrival order. */
  readonly out: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts test/node/fixtures/stalled-node.ts as `nodeId` (market role, 8 s shutdown bound) in a temp data dir; `using` SIGKILLs it if it still runs and removes the dir. */
function startStalledNode(nodeId: string, natsUrl: string): StalledNode {
  const dataDir = mkdtempSync(join(tmpdir(), "stalled-node-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/node/fixtures/stalled-node.ts", "--node-id", nodeId, "--data-dir", dataDir, "--lease-ttl", "3s", "--roles", "market", "--shutdown-timeout", "8s"],
    { env: { ...process.env, NATS_URL: natsUrl }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    get out() {
      return out;
    },
    exit,
    [Symbol.dispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test("a second SIGINT while shutting down is logged and ignored: the node still ends by itself with its summary", async () => {
  await using nats = await startNatsServer();
  using node = startStalledNode("twice", nats.url);
  const { child, exit } = node;
  const nc = await connect({ servers: nats.url });
  try {
    await waitFor(() => node.out.includes("node running") || child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 100, what: "node running" });
    await jetstream(nc).publish(`stall.${partitionOf("k1", 32)}.k1`, JSON.stringify({ n: 1 }));
    await waitFor(() => node.out.includes("stall: entity k1 took a message"), { timeoutMs: 30_000, intervalMs: 100, what: "the stalled entity" });

    child.kill("SIGINT");
    await waitFor(() => node.out.includes("SIGINT: shutting down"), { timeoutMs: 30_000, intervalMs: 20, what: "the first SIGINT's shutdown" });
    child.kill("SIGINT");
    const { code, signal } = await exit;
    assert.equal(signal, null, `killed by ${signal} instead of finishing its shutdown:\n${node.out}`);
    assert.equal(code, 1, `the abandoned drain makes exit 1:\n${node.out}`);
    assert.match(node.out, /SIGINT again: already shutting down/);
    assert.equal(node.out.split("\n").filter((l) => l.includes(SUMMARY_PREFIX)).length, 1, node.out);
  } finally {
    await nc.close();
  }
});

test("a SIGTERM while the node is still starting is not the default kill: it starts, then shuts down with its summary", async () => {
  await using nats = await startNatsServer();
  using node = startStalledNode("early", nats.url);
  const { child, exit } = node;
  // The log's streams are created early in the start, well before "node running".
  await waitFor(() => node.out.includes("log stream TRADES") || child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 5, what: "the start under way" });
  assert.equal(node.out.includes("node running"), false, "the signal must land during the start");
  child.kill("SIGTERM");
  const { code, signal } = await exit;
  assert.equal(signal, null, `killed by ${signal} during its start:\n${node.out}`);
  assert.equal(code, 0, node.out);
  assert.match(node.out, /SIGTERM: shutting down/);
  assert.equal(node.out.split("\n").filter((l) => l.includes(SUMMARY_PREFIX)).length, 1, node.out);
});
