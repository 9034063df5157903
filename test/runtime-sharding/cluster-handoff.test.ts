import { test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { ClusterNode } from "../../src/runtime/cluster/index.js";
import { ShardRegion } from "../../src/runtime/cluster/region/region.js";
import { DeliveryLog, recorderEntity, SumEntity, type CounterMsg, type SumEvent, type SumState } from "../fixtures/sharding-entities.js";
import { sumsRegionOptions } from "../fixtures/sharding-cluster.js";
import { createEventStream, expectedSum, publishNumbered } from "../fixtures/sharding-log.js";
import type { ShardRegionOptions } from "../../src/runtime/cluster/region/options.js";

const PARTITIONS = 16;
const timing = { heartbeatMs: 200, memberTtlMs: 1500, leaseTtlMs: 2000 };

interface RealNode<L = unknown> {
  id: string;
  nc: NatsConnection;
  system: ActorSystem;
  cluster: ClusterNode;
  region: ShardRegion<CounterMsg, L>;
}

type RegionChoice<L> = Omit<ShardRegionOptions<CounterMsg, L>, "system" | "ownership" | "nc">;

async function startRealNode(url: string, id: string, log: DeliveryLog, worker: boolean): Promise<RealNode> {
  return startNodeWith(url, id, worker, { name: "rec", entity: recorderEntity(log, id), snapshots: false });
}

async function startNodeWith<L>(url: string, id: string, worker: boolean, options: RegionChoice<L>): Promise<RealNode<L>> {
  const nc = await connectNats(url, `sharding-${id}`);
  const system = new ActorSystem({ name: id });
  let region: ShardRegion<CounterMsg, L> | undefined;
  const cluster = new ClusterNode({
    nc,
    nodeId: id,
    roles: worker ? ["worker"] : [],
    placementRole: "worker",
    partitionCount: PARTITIONS,
    ...timing,
    host: { startPartition: (p) => region!.startPartition(p), stopPartition: (p, r) => region!.stopPartition(p, r) },
  });
  region = await ShardRegion.start<CounterMsg, L>({ ...options, system, ownership: cluster, nc });
  await cluster.start();
  return { id, nc, system, cluster, region };
}

async function dispose<L>(n: RealNode<L>): Promise<void> {
  await n.cluster[Symbol.asyncDispose]();
  await n.region.close();
  await n.system.shutdown();
  if (!n.nc.isClosed()) await n.nc.close();
}

test("real leases: a node joins and another leaves while messages flow; every message exactly once, in order", async () => {
  await using server = await startNatsServer();
  const log = new DeliveryLog();
  const client = await startRealNode(server.url, "client", log, false);
  const a = await startRealNode(server.url, "a", log, true);
  const nodes = [client, a];
  try {
    const owners = () => Array.from({ length: PARTITIONS }, (_, p) => client.cluster.ownerOf(p));
    await waitFor(() => owners().every((o) => o === "a"), { timeoutMs: 30_000, what: "a owns everything" });

    const KEYS = Array.from({ length: 24 }, (_, i) => `k${i}`);
    const fromClient = KEYS.slice(0, 12);
    const fromA = KEYS.slice(12);
    const sent = new Map<string, number>(KEYS.map((k) => [k, 0]));
    let clientSending = true;
    let aSending = true;
    const sends: Promise<void>[] = [];
    // The client sends remote to every owner; a sends in process while it owns a partition, remote otherwise.
    const producer = (async () => {
      while (clientSending) {
        for (const key of [...fromClient, ...(aSending ? fromA : [])]) {
          const n = sent.get(key)! + 1;
          sent.set(key, n);
          sends.push((fromClient.includes(key) ? client : a).region.tell(key, { type: "add", n }));
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const b = await startRealNode(server.url, "b", log, true);
    nodes.push(b);
    await waitFor(() => owners().includes("b") && owners().every((o) => o !== undefined), { timeoutMs: 30_000, what: "b took its share" });
    const c = await startRealNode(server.url, "c", log, true);
    nodes.push(c);
    await waitFor(() => owners().includes("c") && owners().every((o) => o !== undefined), { timeoutMs: 30_000, what: "c took its share" });
    // A node that leaves stops following leases, so it stops sending first (its sends still complete).
    aSending = false;
    await a.cluster.leave();
    await waitFor(() => owners().every((o) => o === "b" || o === "c"), { timeoutMs: 30_000, what: "a's partitions moved" });
    await waitFor(() => sent.get("k0")! > 50, { what: "more traffic after the moves" });
    clientSending = false;
    await producer;
    await Promise.all(sends);
    const total = [...sent.values()].reduce((x, y) => x + y, 0);
    await waitFor(() => log.total >= total, { timeoutMs: 30_000, what: "all messages handled" });
    for (const key of KEYS) assert.deepEqual(log.byKey.get(key), Array.from({ length: sent.get(key)! }, (_, i) => i + 1), key);
    const moved = nodes.reduce((sum, x) => sum + x.region.stats().resent, 0);
    assert.ok(moved > 0, "some messages were held and resent while partitions moved");
  } finally {
    for (const x of nodes.reverse()) await dispose(x);
  }
});

test("real leases: an owner cut off from NATS stops its partitions as lease-lost; the other's fold is exact", async () => {
  await using server = await startNatsServer();
  const setup = await connectNats(server.url, "setup");
  await createEventStream(setup, "EV", "ev");
  const options = sumsRegionOptions(() => new SumEntity());
  const client = await startNodeWith<SumEvent>(server.url, "client", false, options);
  const a = await startNodeWith<SumEvent>(server.url, "a", true, options);
  const b = await startNodeWith<SumEvent>(server.url, "b", true, options);
  const nodes = [client, a, b];
  try {
    const owners = () => Array.from({ length: PARTITIONS }, (_, p) => client.cluster.ownerOf(p));
    await waitFor(() => owners().includes("a") && owners().includes("b") && owners().every((o) => o !== undefined), { timeoutMs: 30_000, what: "a and b share" });
    const KEYS = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const PER_KEY = 120;
    const publishing = publishNumbered(setup, "ev", PARTITIONS, KEYS, 1, PER_KEY);
    await waitFor(() => a.region.stats().partitions.some((p) => (p.consumer?.floor ?? 0) > 0), { timeoutMs: 30_000, what: "a acked some input" });
    await a.nc.close();
    await waitFor(() => a.region.stats().partitions.length === 0, { timeoutMs: 10_000, what: "a stopped its partitions (lease-lost)" });
    await publishing;
    const final = await waitFor(
      async () => {
        const states = await Promise.all(KEYS.map((k) => client.region.ask<SumState>(k, { type: "get" })));
        return states.every((s) => s.count >= PER_KEY) || states.some((s) => s.count > PER_KEY) ? states : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "every key folded" },
    );
    KEYS.forEach((key, i) => assert.deepEqual(final[i], { sum: expectedSum(PER_KEY), count: PER_KEY, lastN: PER_KEY }, key));
    assert.ok(owners().every((o) => o === "b"));
  } finally {
    for (const x of nodes.reverse()) await dispose(x);
    await setup.close();
  }
});
