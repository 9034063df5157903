import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { OwnershipBoard } from "../fixtures/sharding-ownership.js";
import { startTestNode, startTestPair, type NodeRegionOptions } from "../fixtures/sharding-node.js";
import { SumEntity, type CounterMsg, type SumEvent, type SumState } from "../fixtures/sharding-entities.js";
import { createEventStream, expectedSum, publishNumbered } from "../fixtures/sharding-log.js";
import type { ShardRegion } from "../../src/runtime/cluster/region/region.js";
import { jetstreamManager } from "@nats-io/jetstream";

const PARTITIONS = 4;
const KEYS = Array.from({ length: 10 }, (_, i) => `sym${i}`);
const PER_KEY = 200;

function regionOptions(name: string): NodeRegionOptions<CounterMsg, SumEvent> {
  return {
    name,
    entity: () => new SumEntity(),
    input: { stream: "EV", subjectPrefix: "ev", ackWaitMs: 3000, maxInFlight: 32, maxBatch: 16 },
    snapshots: { everyMessages: 7, everyMs: 50 },
  };
}

async function states(region: ShardRegion<CounterMsg, SumEvent>): Promise<Map<string, SumState>> {
  const out = new Map<string, SumState>();
  for (const key of KEYS) out.set(key, await region.ask<SumState>(key, { type: "get" }, 20_000));
  return out;
}

async function waitForFold(region: ShardRegion<CounterMsg, SumEvent>): Promise<Map<string, SumState>> {
  return waitFor(
    async () => {
      const s = await states(region);
      // Stop waiting when done, or as soon as something was counted twice.
      return [...s.values()].every((st) => st.count >= PER_KEY) || [...s.values()].some((st) => st.count > PER_KEY) ? s : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `every key folded ${PER_KEY} events` },
  );
}

function assertUndisturbedFold(final: Map<string, SumState>): void {
  for (const key of KEYS) assert.deepEqual(final.get(key), { sum: expectedSum(PER_KEY), count: PER_KEY, lastN: PER_KEY }, key);
}

test("durable input: a clean handoff mid-stream folds every event exactly once", async () => {
  await using pair = await startTestPair(PARTITIONS, () => regionOptions("sums"));
  const { board, a, b } = pair;
  await createEventStream(a.nc, "EV", "ev");
  await board.assignAll("A");
  await publishNumbered(a.nc, "ev", PARTITIONS, KEYS, 1, PER_KEY / 2);
  await waitFor(() => a.region.stats().partitions.some((p) => (p.consumer?.floor ?? 0) > 0), { what: "A acknowledged some input" });
  const moving = Promise.all([0, 1, 2, 3].map((p) => board.move(p, "B")));
  await publishNumbered(b.nc, "ev", PARTITIONS, KEYS, PER_KEY / 2 + 1, PER_KEY);
  await moving;
  assertUndisturbedFold(await waitForFold(b.region));
});

test("durable input: the owner dies mid-stream; the next one restores snapshots and replays, no loss, no double count", async () => {
  await using pair = await startTestPair(PARTITIONS, () => regionOptions("sums"));
  const { board, a, b } = pair;
  await createEventStream(b.nc, "EV", "ev");
  await board.assignAll("A");
  const publishing = publishNumbered(b.nc, "ev", PARTITIONS, KEYS, 1, PER_KEY);
  // Crash once A has made some progress durable but (most likely) still has input in flight.
  await waitFor(() => a.region.stats().partitions.filter((p) => (p.consumer?.floor ?? 0) > 0).length >= 2, { what: "A acknowledged input on 2 partitions" });
  await a.nc.close(); // no drain, no final snapshot, no acks: as abrupt as it gets in process
  const lost = board.crash("A");
  assert.equal(lost.length, PARTITIONS);
  for (const p of lost) await board.move(p, "B");
  await publishing;
  assertUndisturbedFold(await waitForFold(b.region));
});

test("durable input: ack_wait redeliveries while the owner is alive are not folded twice", async () => {
  await using server = await startNatsServer();
  const board = new OwnershipBoard(PARTITIONS);
  // Snapshots (hence acks) come far later than ack_wait: the server redelivers what is in flight.
  await using a = await startTestNode<CounterMsg, SumEvent>(board, "A", server.url, {
    name: "slowacks",
    entity: () => new SumEntity(),
    input: { stream: "EV", subjectPrefix: "ev", ackWaitMs: 1000, maxInFlight: 64 },
    snapshots: { everyMessages: 1_000_000, everyMs: 2500 },
  });
  await createEventStream(a.nc, "EV", "ev");
  await board.assignAll("A");
  await publishNumbered(a.nc, "ev", PARTITIONS, KEYS, 1, PER_KEY);
  const jsm = await jetstreamManager(a.nc);
  await waitFor(
    async () => {
      for (let p = 0; p < PARTITIONS; p++) if ((await jsm.consumers.info("EV", `slowacks-p${p}`)).num_redelivered > 0) return true;
      return false;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "a redelivery after ack_wait" },
  );
  assertUndisturbedFold(await waitForFold(a.region));
  // And everything is acknowledged in the end.
  await waitFor(
    async () => {
      let pending = 0;
      for (let p = 0; p < PARTITIONS; p++) pending += (await jsm.consumers.info("EV", `slowacks-p${p}`)).num_ack_pending;
      return pending === 0;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "all acked" },
  );
});
