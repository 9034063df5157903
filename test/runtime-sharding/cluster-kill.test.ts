import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { ClusterNode } from "../../src/runtime/cluster/index.js";
import { ShardRegion } from "../../src/runtime/cluster/region/region.js";
import { SumEntity, type CounterMsg, type SumEvent, type SumState } from "../fixtures/sharding-entities.js";
import { createEventStream, expectedSum, publishNumbered } from "../fixtures/sharding-log.js";
import { sumsRegionOptions, TEST_CLUSTER_TIMING } from "../fixtures/sharding-cluster.js";

const PARTITIONS = 8;
const KEYS = Array.from({ length: 12 }, (_, i) => `sym${i}`);
const PER_KEY = 150;

interface Child {
  id: string;
  child: ChildProcess;
  lines: string[];
  exit: Promise<unknown>;
}

function startChild(url: string, id: string): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/sharding-cluster-node.ts", "--url", url, "--node", id, "--partitions", String(PARTITIONS)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on("line", (l) => lines.push(`stderr: ${l}`));
  return { id, child, lines, exit: new Promise((resolve) => child.once("exit", resolve)) };
}

test("real cluster: kill -9 the owner of half the partitions mid-stream; the survivor's fold equals the undisturbed one", async (t) => {
  await using server = await startNatsServer();
  const nc = await connectNats(server.url, "test-client");
  await createEventStream(nc, "EV", "ev");
  // The test process is a member without the worker role: it follows leases and sends, owns nothing.
  const system = new ActorSystem({ name: "client" });
  let region: ShardRegion<CounterMsg, SumEvent> | undefined;
  const view = new ClusterNode({
    nc,
    nodeId: "client",
    roles: [],
    placementRole: "worker",
    partitionCount: PARTITIONS,
    ...TEST_CLUSTER_TIMING,
    host: { startPartition: (p) => region!.startPartition(p), stopPartition: (p, r) => region!.stopPartition(p, r) },
  });
  region = await ShardRegion.start({ ...sumsRegionOptions(() => new SumEntity()), system, ownership: view, nc });
  await view.start();

  const a = startChild(server.url, "A");
  const b = startChild(server.url, "B");
  try {
    const owners = () => Array.from({ length: PARTITIONS }, (_, p) => view.ownerOf(p));
    await waitFor(() => [a, b].every((c) => c.lines.some((l) => l.includes('"ready":true'))), { timeoutMs: 60_000, what: "both nodes ready" });
    await waitFor(() => owners().every((o) => o !== undefined) && new Set(owners()).size === 2, { timeoutMs: 30_000, what: "partitions spread over A and B" });
    const ofA = owners().flatMap((o, p) => (o === "A" ? [p] : []));

    const publishing = publishNumbered(nc, "ev", PARTITIONS, KEYS, 1, PER_KEY);
    const jsm = await jetstreamManager(nc);
    // Kill once A has made some of its input durable (acked), with more still coming.
    await waitFor(async () => (await jsm.consumers.info("EV", `sums-p${ofA[0]}`)).ack_floor.stream_seq > 0, { timeoutMs: 30_000, what: "A acked input" });
    a.child.kill("SIGKILL");
    await a.exit;
    await publishing;
    t.diagnostic(`killed A (owned ${ofA.join(",")})`);

    const final = await waitFor(
      async () => {
        const states = await Promise.all(KEYS.map((k) => region!.ask<SumState>(k, { type: "get" })));
        return states.every((s) => s.count >= PER_KEY) || states.some((s) => s.count > PER_KEY) ? states : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "every key folded on the survivor" },
    );
    KEYS.forEach((key, i) => assert.deepEqual(final[i], { sum: expectedSum(PER_KEY), count: PER_KEY, lastN: PER_KEY }, key));
    assert.ok(owners().every((o) => o === "B"), `B owns everything now: ${owners().join(",")}`);
  } catch (err) {
    t.diagnostic([...a.lines.slice(-20), ...b.lines.slice(-20)].join("\n"));
    throw err;
  } finally {
    a.child.kill("SIGKILL");
    b.child.kill("SIGTERM");
    await b.exit;
    await view.leave();
    await region.close();
    await system.shutdown();
    await nc.close();
  }
});
