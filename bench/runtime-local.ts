/**
 * Local actor runtime: tell throughput (one actor, 100 actors), the cost of one tell that finds
 * room, and ask round-trip latency. Run: npx tsx bench/runtime-local.ts
 */
import { pathToFileURL } from "node:url";
import { ActorSystem } from "../src/runtime/actor/index.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, recordRows } from "./runner/figures.js";

const TELL_MESSAGES = 2_000_000;
const ASK_ROUNDS = 100_000;

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function tellThroughput(actors: number, messages: number, mailboxCapacity = 1000, awaitEach = false): Promise<number> {
  await using system = new ActorSystem({ name: "bench", defaultMailboxCapacity: mailboxCapacity });
  let processed = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const refs = Array.from({ length: actors }, (_, i) =>
    system.spawn<number>(`a${i}`, () => ({
      receive() {
        if (++processed === messages) done();
      },
    })),
  );
  const start = process.hrtime.bigint();
  // A fast producer: synchronous while there is room, it yields only when a mailbox is full.
  for (let i = 0; i < messages; i++) {
    const ref = refs[i % actors]!;
    if (awaitEach) await ref.tell(i);
    else if (!ref.tryTell(i)) await ref.tell(i);
  }
  await withDeadline(`${messages.toLocaleString("en-US")} messages handled by ${actors} actor(s)`, 120_000, finished, () => `${processed.toLocaleString("en-US")} of ${messages.toLocaleString("en-US")} handled`);
  return messages / seconds(start);
}

/** Enqueue cost alone: tells into a mailbox with room, before the actor gets to run. */
async function tellEnqueueNs(messages: number): Promise<number> {
  await using system = new ActorSystem({ name: "bench" });
  const ref = system.spawn<number>("sink", () => ({ receive() {} }), { mailboxCapacity: messages });
  let pending: Promise<void> = Promise.resolve();
  const start = process.hrtime.bigint();
  for (let i = 0; i < messages; i++) pending = ref.tell(i);
  const ns = Number(process.hrtime.bigint() - start) / messages;
  await pending;
  return ns;
}

async function askLatency(rounds: number): Promise<{ p50: number; p99: number; perSecond: number }> {
  await using system = new ActorSystem({ name: "bench" });
  const ref = system.spawn<number, number>("echo", () => ({ receive: (m) => m + 1 }));
  const samples = new Float64Array(rounds);
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await ref.ask(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const perSecond = rounds / seconds(start);
  samples.sort();
  return { p50: samples[Math.floor(rounds * 0.5)]!, p99: samples[Math.floor(rounds * 0.99)]!, perSecond };
}

/** Spawn cost and resident heap per idle actor (heap figure is rough: it depends on GC timing). */
async function spawnCost(count: number): Promise<{ usPerSpawn: number; bytesPerActor: number }> {
  await using system = new ActorSystem({ name: "bench" });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) system.spawn<number>(`e${i}`, () => ({ receive() {} }));
  const usPerSpawn = Number(process.hrtime.bigint() - start) / 1000 / count;
  await new Promise((r) => setImmediate(r)); // let every actor start
  gc?.();
  const bytesPerActor = (process.memoryUsage().heapUsed - heapBefore) / count;
  return { usPerSpawn, bytesPerActor };
}

export async function run(): Promise<void> {
  phase("warm-up");
  // Warm up the JIT on a small run of each shape.
  await tellThroughput(1, 100_000);
  await tellThroughput(100, 100_000);
  await askLatency(10_000);

  phase("measuring tell, ask and spawn");
  const one = await tellThroughput(1, TELL_MESSAGES);
  const hundred = await tellThroughput(100, TELL_MESSAGES);
  const backpressured = await tellThroughput(1, TELL_MESSAGES / 4, 16);
  const awaited = await tellThroughput(1, TELL_MESSAGES, 1000, true);
  const enqueueNs = await tellEnqueueNs(1_000_000);
  const ask = await askLatency(ASK_ROUNDS);
  const spawn = await spawnCost(20_000);

  const gcNote = (globalThis as { gc?: unknown }).gc ? "" : " (no --expose-gc: rough)";
  console.log("runtime-local (in-process actor system, system clock)");
  recordRows([
    { name: `tell throughput, 1 actor (${TELL_MESSAGES / 1e6}M msgs, producer yields only when full)`, figure: one, unit: "msg/s" },
    { name: `tell throughput, 100 actors (${TELL_MESSAGES / 1e6}M msgs)`, figure: hundred, unit: "msg/s" },
    { name: `tell throughput, 1 actor, mailbox 16 (${TELL_MESSAGES / 4e6}M msgs)`, figure: backpressured, unit: "msg/s" },
    { name: `tell throughput, 1 actor, \`await tell\` per message (${TELL_MESSAGES / 1e6}M)`, figure: awaited, unit: "msg/s" },
    { name: "tell enqueue cost (mailbox has room)", figure: enqueueNs, unit: "ns/tell" },
    { name: `ask round trip p50 (${ASK_ROUNDS / 1000}k sequential)`, figure: ask.p50, unit: "µs", digits: 1 },
    { name: "ask round trip p99", figure: ask.p99, unit: "µs", digits: 1 },
    { name: "ask sequential rate", figure: ask.perSecond, unit: "asks/s" },
    { name: "spawn (20k idle actors)", figure: spawn.usPerSpawn, unit: "µs/actor", digits: 1 },
    { name: `heap per idle actor${gcNote}`, figure: spawn.bytesPerActor, unit: "B" },
  ]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
