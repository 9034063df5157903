/**
 * What one NATS request costs this process, before and after request-settle.ts: JetStream
 * publishes (each is a request: PUB with a reply inbox, the PubAck back) to a private nats-server,
 * `BENCH_NATS_REQUESTS` (20,000) per round with 256 in flight, alternating nats.js's own resolver
 * (it builds a RequestError with a stack after every settled request) and the fix, over
 * `BENCH_NATS_ROUNDS` (5) rounds. Reports this process's CPU µs per publish (user + system,
 * `process.cpuUsage`; nats-server is another process) and publishes/s, median of the rounds.
 */
import { pathToFileURL } from "node:url";
import { RequestOne } from "@nats-io/nats-core/internal";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "../src/runtime/nats/index.js";
import { natsResolver } from "../src/runtime/nats/request-settle.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { phase, record } from "./runner/figures.js";

const REQUESTS = Number(process.env.BENCH_NATS_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_NATS_ROUNDS ?? 5);
const IN_FLIGHT = 256;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  await using nats = await startNatsServer();
  const nc = await connectNats(nats.url, "bench-nats-request");
  try {
    await (await jetstreamManager(nc)).streams.add({ name: "BENCH", subjects: ["bench.>"], max_msgs: 100_000 });
    const js = jetstream(nc);
    const proto = RequestOne.prototype as unknown as { resolver: unknown };
    const fixed = proto.resolver;
    const payload = new Uint8Array(200);
    let n = 0;
    async function publishAll(): Promise<{ cpuUsPerPublish: number; perSecond: number }> {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < REQUESTS) {
          next++;
          await js.publish(`bench.${n % 64}`, payload, { msgID: `m${n++}` });
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      const cpu = process.cpuUsage(cpu0);
      return { cpuUsPerPublish: (cpu.user + cpu.system) / REQUESTS, perSecond: REQUESTS / ((performance.now() - t0) / 1000) };
    }
    const variants = { "nats.js resolver": natsResolver, "request-settle": fixed };
    const results = new Map<string, { cpu: number[]; rate: number[] }>(Object.keys(variants).map((k) => [k, { cpu: [], rate: [] }]));
    proto.resolver = fixed;
    await publishAll(); // warm-up: JIT, the stream's first blocks
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, resolver] of Object.entries(variants)) {
        phase(`round ${round} of ${ROUNDS}: ${REQUESTS} publishes with the ${name}`);
        proto.resolver = resolver;
        const r = await publishAll();
        results.get(name)!.cpu.push(r.cpuUsPerPublish);
        results.get(name)!.rate.push(r.perSecond);
      }
    }
    proto.resolver = fixed;
    console.log(`JetStream publishes from one connection to a private nats-server, ${REQUESTS.toLocaleString("en-US")} per round, ${IN_FLIGHT} in flight, median of ${ROUNDS} rounds (rounds alternate):`);
    for (const [name, r] of results) {
      const cpu = median(r.cpu);
      const rate = median(r.rate);
      console.log(`  ${name.padEnd(17)} ${cpu.toFixed(1)} µs CPU per publish (rounds ${r.cpu.map((x) => x.toFixed(1)).join(", ")}), ${Math.round(rate).toLocaleString("en-US")} publishes/s`);
      record(`JetStream publish, ${name}: CPU per publish`, Number(cpu.toFixed(1)), "µs");
      record(`JetStream publish, ${name}: publishes/s`, Math.round(rate), "publishes/s");
    }
    const before = median(results.get("nats.js resolver")!.cpu);
    const after = median(results.get("request-settle")!.cpu);
    console.log(`  saved ${(before - after).toFixed(1)} µs per publish (${(((before - after) / before) * 100).toFixed(1)} % of this process's CPU per publish)`);
  } finally {
    await nc.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
