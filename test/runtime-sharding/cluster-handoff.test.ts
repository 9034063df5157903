import { test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { ClusterNode } from "../../src/runtime/cluster/index.js";
import { ShardRegion } from "../../src/runtime/cluster/region.js";
import { DeliveryLog, recorderEntity, type CounterMsg } from "../fixtures/sharding-entities.js";

const PARTITIONS = 16;
const timing = { heartbeatMs: 200, memberTtlMs: 1500, leaseTtlMs: 2000 };

interface RealNode {
  id: string;
  nc: NatsConnection;
  system: ActorSystem;
  cluster: ClusterNode;
  region: ShardRegion<CounterMsg>;
}

async function startRealNode(url: string, id: string, log: DeliveryLog, worker: boolean): Promise<RealNode> {
  const nc = await connectNats(url, `sharding-${id}`);
  const system = new ActorSystem({ name: id });
  let region: ShardRegion<CounterMsg> | undefined;
  const cluster = new ClusterNode({
    nc,
    nodeId: id,
    roles: worker ? ["worker"] : [],
    placementRole: "worker",
    partitionCount: PARTITIONS,
    ...timing,
    host: { startPartition: (p) => region!.startPartition(p), stopPartition: (p, r) => region!.stopPartition(p, r) },
  });
  region = await ShardRegion.start<CounterMsg>({ name: "rec", entity: recorderEntity(log, id), system, ownership: cluster, nc, snapshots: false });
  await cluster.start();
  return { id, nc, system, cluster, region };
}

async function dispose(n: RealNode): Promise<void> {
  await n.cluster[Symbol.asyncDispose]();
  await n.region.close();
  await n.system.shutdown();
  await n.nc.close();
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
