/**
 * What NATS sends cost this process, before and after src/runtime/nats's two fixes to nats.js 3.4,
 * on a private nats-server, in rounds (`BENCH_NATS_ROUNDS`, 5) that alternate three variants:
 * nats.js as shipped; with request-settle.ts (no RequestError with a stack after every settled
 * request); with that and write-coalesce.ts (one socket write per event-loop turn, not one per
 * microtask checkpoint). Two ways of sending, `BENCH_NATS_REQUESTS` (20,000) messages per round:
 * - JetStream publishes (requests: PUB with a reply inbox, the PubAck back), 256 in flight;
 * - core publishes each from its own timer callback, 1,000 due at once, as a node's symbols send
 *   their live ticks (Node runs the microtasks after every timer callback).
 * Reports this process's CPU µs per message (user + system, `process.cpuUsage`; nats-server is
 * another process), its socket writes per message and messages/s, median of the rounds.
 */
import { pathToFileURL } from "node:url";
import { ProtocolHandler, RequestOne } from "@nats-io/nats-core/internal";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "../src/runtime/nats/index.js";
import { natsResolver } from "../src/runtime/nats/request-settle.js";
import { natsSendCommand } from "../src/runtime/nats/write-coalesce.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { countSocketWrites } from "../test/helpers/nats-writes.js";
import { phase, record } from "./runner/figures.js";

const MESSAGES = Number(process.env.BENCH_NATS_REQUESTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_NATS_ROUNDS ?? 5);
const IN_FLIGHT = 256;
const TIMERS_AT_ONCE = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Variant {
  resolver: unknown;
  sendCommand: unknown;
}
interface Round {
  cpuUs: number;
  perSecond: number;
  writes: number;
}

export async function run(): Promise<void> {
  await using nats = await startNatsServer();
  const nc = await connectNats(nats.url, "bench-nats-request");
  try {
    await (await jetstreamManager(nc)).streams.add({ name: "BENCH", subjects: ["bench.>"], max_msgs: 100_000 });
    const js = jetstream(nc);
    const request = RequestOne.prototype as unknown as Variant;
    const protocol = ProtocolHandler.prototype as unknown as Variant;
    const fixed: Variant = { resolver: request.resolver, sendCommand: protocol.sendCommand };
    const use = (v: Variant) => {
      request.resolver = v.resolver;
      protocol.sendCommand = v.sendCommand;
    };
    const writes = countSocketWrites(nc);
    const payload = new Uint8Array(200);
    let n = 0;

    async function measured(body: () => Promise<void>): Promise<Round> {
      writes.reset();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await body();
      const cpu = process.cpuUsage(cpu0);
      return { cpuUs: (cpu.user + cpu.system) / MESSAGES, perSecond: MESSAGES / ((performance.now() - t0) / 1000), writes: writes.count / MESSAGES };
    }
    const scenarios: Record<string, () => Promise<void>> = {
      [`JetStream publishes, ${IN_FLIGHT} in flight`]: async () => {
        let next = 0;
        const worker = async () => {
          while (next < MESSAGES) {
            next++;
            await js.publish(`bench.${n % 64}`, payload, { msgID: `m${n++}` });
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      },
      [`core publishes from timers, ${TIMERS_AT_ONCE.toLocaleString("en-US")} due at once`]: async () => {
        for (let sent = 0; sent < MESSAGES; sent += TIMERS_AT_ONCE) {
          await new Promise<void>((resolve) => {
            let left = Math.min(TIMERS_AT_ONCE, MESSAGES - sent);
            for (let i = left; i > 0; i--) {
              setTimeout(() => {
                nc.publish(`tick.${i % 64}`, payload);
                if (--left === 0) resolve();
              }, 1);
            }
          });
        }
        await nc.flush();
      },
    };
    const variants: Record<string, Variant> = {
      "nats.js 3.4": { resolver: natsResolver, sendCommand: natsSendCommand },
      "request-settle": { resolver: fixed.resolver, sendCommand: natsSendCommand },
      "+ write-coalesce": fixed,
    };
    for (const [scenario, body] of Object.entries(scenarios)) {
      const results = new Map<string, Round[]>(Object.keys(variants).map((k) => [k, []]));
      use(fixed);
      await measured(body); // warm-up: JIT, the stream's first blocks
      for (let round = 1; round <= ROUNDS; round++) {
        for (const [name, variant] of Object.entries(variants)) {
          phase(`${scenario}: round ${round} of ${ROUNDS}, ${MESSAGES} messages with ${name}`);
          use(variant);
          results.get(name)!.push(await measured(body));
        }
      }
      use(fixed);
      console.log(`${scenario}, ${MESSAGES.toLocaleString("en-US")} per round, median of ${ROUNDS} rounds (rounds alternate the variants):`);
      for (const [name, rounds] of results) {
        const cpu = median(rounds.map((r) => r.cpuUs));
        const w = median(rounds.map((r) => r.writes));
        const rate = median(rounds.map((r) => r.perSecond));
        console.log(`  ${name.padEnd(17)} ${cpu.toFixed(1)} µs CPU per message (rounds ${rounds.map((r) => r.cpuUs.toFixed(1)).join(", ")}), ${w.toFixed(2)} socket writes per message, ${Math.round(rate).toLocaleString("en-US")} messages/s`);
        record(`${scenario}, ${name}: CPU per message`, Number(cpu.toFixed(1)), "µs");
        record(`${scenario}, ${name}: socket writes per message`, Number(w.toFixed(2)), "writes");
      }
      const before = median(results.get("nats.js 3.4")!.map((r) => r.cpuUs));
      const after = median(results.get("+ write-coalesce")!.map((r) => r.cpuUs));
      console.log(`  both fixes: ${(before - after).toFixed(1)} µs less per message (${(((before - after) / before) * 100).toFixed(1)} %)`);
    }
    writes.restore();
  } finally {
    await nc.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
