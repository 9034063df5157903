/**
 * Sharded regions across nodes: two in-process nodes (own NATS connection and actor system each)
 * on one private nats-server; node B owns every partition, node A sends.
 *   - ask round trip A → B (one at a time): p50 / p99, and the in-process ask for comparison
 *   - tell throughput A → B (batched, pipelined requests), until every message is handled
 *   - durable input: events already in a stream folded by B's partition consumers (fetch → entity
 *     → snapshot → ack), until every event is applied
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ActorSystem } from "../src/runtime/actor/index.js";
import { ShardRegion } from "../src/runtime/cluster/region/region.js";
import { isLogInput, type EntityInput } from "../src/runtime/cluster/region/entity.js";
import { partitionOf } from "../src/runtime/cluster/partition.js";
import type { Actor } from "../src/runtime/actor/types.js";
import type { NodeId, OwnershipView } from "../src/runtime/cluster/types.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { pollUntil } from "./runner/deadline.js";
import { phase, recordRows, type Figure } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";

const PARTITIONS = 16;
const ASKS = Number(process.env.BENCH_CLUSTER_ASKS ?? 3000);
const TELLS = Number(process.env.BENCH_CLUSTER_TELLS ?? 200_000);
const EVENTS = Number(process.env.BENCH_CLUSTER_EVENTS ?? 100_000);
const KEYS = Array.from({ length: 64 }, (_, i) => `SYM${i}USDT`);

type Msg = { type: "add"; n: number } | { type: "get" };

/** Everything owned by one node, fixed: the bench measures the data path, not leases. */
function fixedOwnership(nodeId: NodeId, owner: NodeId): OwnershipView {
  return {
    nodeId,
    partitionCount: PARTITIONS,
    ownerOf: () => owner,
    ownedPartitions: () => new Set(nodeId === owner ? Array.from({ length: PARTITIONS }, (_, p) => p) : []),
    members: () => [],
    onOwnerChange: () => () => {},
  };
}

class Counter implements Actor<EntityInput<Msg, { n: number }>> {
  sum = 0;
  count = 0;
  receive(message: EntityInput<Msg, { n: number }>): unknown {
    if (isLogInput(message)) {
      this.sum += message.data.n;
      this.count++;
      handled.count++;
      return undefined;
    }
    if (message.type === "get") return this.count;
    this.sum += message.n;
    this.count++;
    handled.count++;
    return undefined;
  }
  snapshot(): unknown {
    return { sum: this.sum, count: this.count };
  }
  restore(state: unknown): void {
    ({ sum: this.sum, count: this.count } = state as { sum: number; count: number });
  }
}

const handled = { count: 0 };

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function node(url: string, id: NodeId, withInput: boolean): Promise<{ nc: NatsConnection; system: ActorSystem; region: ShardRegion<Msg, { n: number }> }> {
  const nc = await connect({ servers: url, name: id });
  const system = new ActorSystem({ name: id });
  const region = await ShardRegion.start<Msg, { n: number }>({
    name: "bench",
    entity: () => new Counter(),
    system,
    ownership: fixedOwnership(id, "B"),
    nc,
    snapshots: { everyMessages: 1000, everyMs: 200 },
    ...(withInput ? { input: { stream: "BENCH", subjectPrefix: "bench", maxInFlight: 512, maxBatch: 256, maxAckPending: 4096 } } : {}),
  });
  return { nc, system, region };
}

export async function run(): Promise<void> {
  await using server = await startNatsServer();
  const setup = await connect({ servers: server.url });
  await (await jetstreamManager(setup)).streams.add({ name: "BENCH", subjects: ["bench.>"] });
  const a = await node(server.url, "A", false);
  const b = await node(server.url, "B", true);
  for (let p = 0; p < PARTITIONS; p++) await b.region.startPartition(p);

  phase("ask round trips");
  const key = KEYS[0]!;
  for (let i = 0; i < 200; i++) await a.region.ask(key, { type: "get" });
  const remote: number[] = [];
  for (let i = 0; i < ASKS; i++) {
    const t0 = performance.now();
    await a.region.ask(key, { type: "get" });
    remote.push(performance.now() - t0);
  }
  const local: number[] = [];
  for (let i = 0; i < ASKS; i++) {
    const t0 = performance.now();
    await b.region.ask(key, { type: "get" });
    local.push(performance.now() - t0);
  }
  remote.sort((x, y) => x - y);
  local.sort((x, y) => x - y);
  const us = (ms: number) => ms * 1000;
  const rows: Figure[] = [
    { name: `ask A→B over NATS, p50 (${ASKS} sequential)`, figure: us(percentile(remote, 0.5)), unit: "µs" },
    { name: "ask A→B over NATS, p99", figure: us(percentile(remote, 0.99)), unit: "µs" },
    { name: `ask on the owner (in process), p50`, figure: us(percentile(local, 0.5)), unit: "µs" },
    { name: "ask on the owner (in process), p99", figure: us(percentile(local, 0.99)), unit: "µs" },
  ];

  phase("tell throughput A → B");
  handled.count = 0;
  const t0 = performance.now();
  const CHUNK = 10_000;
  for (let sent = 0; sent < TELLS; sent += CHUNK) {
    const sends: Promise<void>[] = [];
    for (let i = sent; i < Math.min(TELLS, sent + CHUNK); i++) sends.push(a.region.tell(KEYS[i % KEYS.length]!, { type: "add", n: i }));
    await Promise.all(sends);
  }
  await pollUntil(`${TELLS.toLocaleString("en-US")} tells handled`, 120_000, () => handled.count >= TELLS, () => `${handled.count.toLocaleString("en-US")} handled; A ${JSON.stringify({ ...a.region.stats(), partitions: undefined })}`, { intervalMs: 5 });
  const tellSec = (performance.now() - t0) / 1000;
  rows.push({ name: `tell A→B throughput (${TELLS / 1000}k, until handled)`, figure: TELLS / tellSec, unit: "msg/s", note: `resent ${a.region.stats().resent}` });

  phase("durable input fold");
  await b.region.close();
  const js = jetstream(setup);
  let acks: Promise<unknown>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const k = KEYS[i % KEYS.length]!;
    acks.push(js.publish(`bench.${partitionOf(k, PARTITIONS)}.${k}`, JSON.stringify({ n: i })));
    if (acks.length >= 1000) {
      await Promise.all(acks);
      acks = [];
    }
  }
  await Promise.all(acks);
  const c = await node(server.url, "B", true);
  handled.count = 0;
  const t1 = performance.now();
  for (let p = 0; p < PARTITIONS; p++) await c.region.startPartition(p);
  await pollUntil(
    `${EVENTS.toLocaleString("en-US")} events folded`,
    120_000,
    () => handled.count >= EVENTS,
    async () => `${handled.count.toLocaleString("en-US")} folded; partitions ${JSON.stringify(c.region.stats().partitions.map((p) => ({ p: p.partition, state: p.state, ...p.consumer })))}\n${await describeJetStream(setup)}`,
    { intervalMs: 5 },
  );
  const foldSec = (performance.now() - t1) / 1000;
  rows.push({ name: `durable input fold (${EVENTS / 1000}k events, ${PARTITIONS} partitions, snapshot+ack)`, figure: EVENTS / foldSec, unit: "events/s" });
  console.log("runtime-cluster (2 in-process nodes, 1 private nats-server)");
  recordRows(rows);

  await c.region.close();
  await a.region.close();
  for (const n of [a, b, c]) {
    await n.system.shutdown();
    await n.nc.close();
  }
  await setup.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await run();
}
