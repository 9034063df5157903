import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Kvm, KvWatchInclude } from "@nats-io/kv";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";

const PARTITIONS = 32;
const LEASE_TTL_MS = 15_000;

interface NodeProcess {
  id: string;
  child: ChildProcess;
  lines: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startNode(url: string, id: string): NodeProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/cluster-node.ts", "--url", url, "--node", id, "--partitions", String(PARTITIONS), "--lease-ttl", String(LEASE_TTL_MS)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on("line", (l) => lines.push(`stderr: ${l}`));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { id, child, lines, exit };
}

/** Who runs what, rebuilt from the rt_running bucket's change stream; any overlap is recorded. */
class RunningModel {
  readonly byPartition = new Map<number, Set<string>>();
  readonly violations: string[] = [];
  readonly dead = new Set<string>();

  apply(key: string, deleted: boolean): void {
    const m = /^p(\d+)\.(.+)$/.exec(key);
    if (!m) return;
    const p = Number(m[1]);
    const node = m[2]!;
    if (this.dead.has(node)) return;
    const set = this.byPartition.get(p) ?? new Set<string>();
    this.byPartition.set(p, set);
    if (deleted) {
      set.delete(node);
      return;
    }
    set.add(node);
    if (set.size > 1) this.violations.push(`p${p} running on ${[...set].join(" and ")}`);
  }

  /** A SIGKILLed process runs nothing, though it could not delete its keys. */
  markDead(node: string): void {
    this.dead.add(node);
    for (const set of this.byPartition.values()) set.delete(node);
  }

  owners(): Map<number, string> {
    const out = new Map<number, string>();
    for (const [p, set] of this.byPartition) if (set.size === 1) out.set(p, [...set][0]!);
    return out;
  }

  allOwnedBy(nodes: string[]): boolean {
    const owners = this.owners();
    if (owners.size !== PARTITIONS) return false;
    const counts = new Map(nodes.map((n) => [n, 0]));
    for (const o of owners.values()) {
      if (!counts.has(o)) return false;
      counts.set(o, counts.get(o)! + 1);
    }
    return [...counts.values()].every((c) => c >= 1);
  }
}

test("3 node processes: all partitions owned; kill -9 → survivors take over by lease expiry; SIGTERM → handover well before the TTL; never two runners", async (t) => {
  await using server = await startNatsServer();
  const nc = await connectNats(server.url, "multi-process-test");
  const running = await new Kvm(nc).create("rt_running", { history: 1 });
  const model = new RunningModel();
  const watch = await running.watch({ include: KvWatchInclude.UpdatesOnly });
  void (async () => {
    for await (const e of watch) model.apply(e.key, e.operation !== "PUT");
  })();

  const nodes = ["n1", "n2", "n3"].map((id) => startNode(server.url, id));
  const diagnostics = () => nodes.map((n) => `--- ${n.id}\n${n.lines.slice(-15).join("\n")}`).join("\n");
  try {
    await waitFor(() => model.allOwnedBy(["n1", "n2", "n3"]), { timeoutMs: 90_000, what: "32 partitions over 3 processes" }).catch((err) => {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`);
    });

    // kill -9: no leave, no release; the victim's leases expire by the bucket's max_age.
    const victim = nodes[0]!;
    const victimHad = [...model.owners()].filter(([, o]) => o === victim.id).map(([p]) => p);
    victim.child.kill("SIGKILL");
    await victim.exit;
    model.markDead(victim.id);
    const killedAt = Date.now();
    await waitFor(() => model.allOwnedBy(["n2", "n3"]), { timeoutMs: LEASE_TTL_MS + 5_000, what: "survivors own the killed node's partitions" });
    t.diagnostic(`kill -9 of ${victim.id} (${victimHad.length} partitions): taken over after ${Date.now() - killedAt} ms (lease TTL ${LEASE_TTL_MS} ms)`);

    // SIGTERM: leave() stops, deletes leases and the member key; the last node takes over at once.
    const leaver = nodes[1]!;
    const leaverHad = [...model.owners()].filter(([, o]) => o === leaver.id).length;
    const termAt = Date.now();
    leaver.child.kill("SIGTERM");
    await waitFor(() => model.allOwnedBy(["n3"]), { timeoutMs: 5_000, what: "graceful handover well before the lease TTL" });
    t.diagnostic(`SIGTERM of ${leaver.id} (${leaverHad} partitions): handed over after ${Date.now() - termAt} ms`);
    assert.deepEqual(await leaver.exit, { code: 0, signal: null }, diagnostics());
    assert.ok(leaver.lines.some((l) => l.includes('"left":true')));
  } finally {
    for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill("SIGKILL");
    await Promise.all(nodes.map((n) => n.exit));
    watch.stop();
    await nc.close();
  }
  assert.deepEqual(model.violations, [], "no partition ever ran on two nodes at once");
});
