import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { callAdmin } from "../../src/admin/client.js";
import { localAdminToken } from "../../src/admin/auth.js";
import type { NodeStatus } from "../../src/runtime/status.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

function startNode(natsUrl: string, nodeId: string, dataDir: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--node-id", nodeId, "--data-dir", dataDir, "--lease-ttl", "4s", "--roles", "market"], {
    env: { ...process.env, NATS_URL: natsUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return { child, output: () => out };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

test("npm start nodes join one cluster, answer admin status, and shut down in order", async () => {
  await using server = await startNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), "node-main-"));
  const nodes = [startNode(server.url, "alpha", dataDir), startNode(server.url, "beta", dataDir)];
  const nc = await connect({ servers: server.url });
  try {
    const token = localAdminToken(dataDir);
    const statuses = await waitFor(
      async () => {
        const replies = await callAdmin(nc, "status", [], { token, timeoutMs: 2000 });
        const ok = replies.flatMap((r) => (r.ok ? [r.result as NodeStatus] : []));
        const owners = ok[0]?.cluster.owners ?? [];
        // Two replies are two moments: while partitions move, one can be released and not yet taken.
        const owned = ok.reduce((n, s) => n + s.cluster.owned.length, 0);
        const settled = ok.length === 2 && owners.every((o) => o !== null) && ok.every((s) => s.cluster.owned.length > 0) && owned === 32;
        return settled ? ok : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: "two nodes owning all 32 partitions" },
    );
    assert.deepEqual(statuses.map((s) => s.nodeId), ["alpha", "beta"]);
    assert.equal(statuses[0]!.cluster.owned.length + statuses[1]!.cluster.owned.length, 32);

    const rejected = await callAdmin(nc, "status", [], { token: "wrong", timeoutMs: 2000 });
    assert.ok(rejected.every((r) => !r.ok && r.code === "unauthorized"));

    nodes[0]!.child.kill("SIGTERM");
    assert.equal(await exitCode(nodes[0]!.child), 0, nodes[0]!.output());
    const log = nodes[0]!.output();
    const order = ["shutdown drain: partitions", "shutdown close: actor system", "shutdown close: admin endpoint", "shutdown close: nats"].map((l) => log.indexOf(l));
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)), log);

    await waitFor(
      async () => {
        const [beta] = await callAdmin(nc, "status", [], { token, timeoutMs: 2000 });
        return beta?.ok && (beta.result as NodeStatus).cluster.owned.length === 32;
      },
      { timeoutMs: 30_000, intervalMs: 300, what: "beta owning every partition after alpha left" },
    );
  } finally {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill("SIGKILL");
    await nc.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a bad configuration exits with a message naming the option", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--partitions", "lots"], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  assert.equal(await exitCode(child), 2);
  assert.match(err, /PARTITIONS: "lots" is not an integer/);
});
