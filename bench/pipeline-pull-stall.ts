/**
 * Diagnostic behind the pipeline's latency tail, without any of our code in the loop: 32 durable
 * pull consumers in a nats.js `fetch` loop (max 256 messages) while one producer publishes
 * ~5,000 msgs/s over their 32 subjects. Counts fetches that end with "heartbeats missed" (the
 * pull got neither its 408 nor a heartbeat: the consumer stalls until nats.js gives up), the
 * longest gap between two messages on one consumer, and delivery-sequence gaps; then the same
 * with 2 s pulls, and with 1 s pulls the client abandons 100 ms after their expiry. Env: BENCH_PULL_STALL_S (default 10).
 */
import { pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

const SECONDS = Number(process.env.BENCH_PULL_STALL_S ?? 10);

async function once(expiresMs: number, deadlineMs?: number): Promise<string> {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "S", subjects: ["s.>"] });
  const js = jetstream(nc);
  let failed = 0;
  let fetches = 0;
  let maxGap = 0;
  // A message delivered to a pull the client had already given up on: JetStream redelivers it only
  // after ack_wait, so a consumer that sees this must start over (our region recreates at the floor).
  let deliveryGaps = 0;
  const stopAt = Date.now() + SECONDS * 1000;
  const loops = Array.from({ length: 32 }, async (_, p) => {
    await jsm.consumers.add("S", { durable_name: `d${p}`, filter_subject: `s.${p}.>`, ack_policy: AckPolicy.All });
    const consumer = await js.consumers.get("S", `d${p}`);
    let last = Date.now();
    let delivery = 0;
    while (Date.now() < stopAt) {
      fetches++;
      const batch = await consumer.fetch({ max_messages: 256, expires: expiresMs });
      // With a client deadline, a pull the server forgot is abandoned just after its expiry and the
      // loop pulls again (nothing is lost: the server had delivered nothing to it).
      const deadline = deadlineMs === undefined ? undefined : setTimeout(() => void batch.close(), expiresMs + deadlineMs);
      try {
        for await (const m of batch) {
          if (m.info.deliverySequence !== delivery + 1) deliveryGaps++;
          delivery = m.info.deliverySequence;
          maxGap = Math.max(maxGap, Date.now() - last);
          last = Date.now();
          m.ack();
        }
      } catch {
        failed++;
      } finally {
        clearTimeout(deadline);
      }
    }
  });
  let published = 0;
  const producing = (async () => {
    while (Date.now() < stopAt) {
      for (let k = 0; k < 50; k++) js.publish(`s.${published++ % 32}.x`, new Uint8Array(200)).catch(() => {});
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const variant = `fetch expires ${expiresMs} ms${deadlineMs === undefined ? "" : `, abandoned ${deadlineMs} ms after expiry`}`;
  // Each loop ends once its current fetch does: nats.js gives up on a silent pull after 2 missed heartbeats.
  await withDeadline(`the 32 fetch loops to end (${variant})`, SECONDS * 1000 + 120_000, Promise.all([...loops, producing]), () => `${fetches} fetches, ${failed} failed, ${published} published`);
  await nc.close();
  record(`${variant}: fetches ended by "heartbeats missed"`, failed, "fetches", `of ${fetches}, ${SECONDS} s`);
  record(`${variant}: longest gap between two messages on one consumer`, maxGap, "ms");
  return `${variant}: ${published.toLocaleString("en")} published, ${fetches} fetches, ${failed} ended by "heartbeats missed", longest gap on one consumer ${maxGap} ms, delivery-sequence gaps ${deliveryGaps}`;
}

export async function run(): Promise<void> {
  console.log(`pull-stall (nats.js fetch loops against the installed nats-server, ${SECONDS} s each)`);
  for (const [expires, deadline] of [[1000], [2000], [1000, 100]] as const) {
    phase(`fetch expires ${expires} ms${deadline === undefined ? "" : `, abandoned after ${deadline} ms`}`);
    console.log(`  ${await once(expires, deadline)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
