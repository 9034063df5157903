/**
 * npm run simulate -- company|iot|logs [options]
 *   company  posts its instruments' prices to the gateway     --url http://127.0.0.1:3000 --key KEY [--source acme] [--batch 1]
 *   iot      publishes sensor readings on ingest.<source>.iot  --nats nats://127.0.0.1:4222 [--source iot_sensors] [--sensors 12] [--upgrade-after 1000]
 *   logs     publishes log lines on ingest.<source>.logs       --nats nats://127.0.0.1:4222 [--source app_logs]
 * common: --rate <records/s> (default 10; 0 = as fast as possible), --count <n> (default: until Ctrl-C), --seed <n>
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { ingestSubject, normalizeSource } from "../custom/names.js";
import { companyPrices, iotReadings, logLines, postRecords } from "../custom/simulators/index.js";
import { connectCliNats } from "./nats.js";
import { parseArgs } from "./args.js";

type Mode = "company" | "iot" | "logs";
const USAGE = "usage: npm run simulate -- company|iot|logs [--rate 10] [--count N] [--source NAME] [--url URL --key KEY] [--nats URL]";

function numberFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
  return n;
}

/** Sends `count` records at `rate`/s in `batch`-sized groups; stops on Ctrl-C. */
async function paced<T>(records: Iterator<T>, o: { rate: number; count: number; batch: number; signal: AbortSignal }, send: (batch: T[]) => Promise<void>): Promise<number> {
  const started = Date.now();
  let sent = 0;
  while (sent < o.count && !o.signal.aborted) {
    const batch: T[] = [];
    while (batch.length < o.batch && sent + batch.length < o.count) batch.push(records.next().value as T);
    await send(batch);
    sent += batch.length;
    if (o.rate > 0) {
      const due = started + (sent / o.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  return sent;
}

async function main(): Promise<void> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const mode = positionals[0] as Mode | undefined;
  if (mode !== "company" && mode !== "iot" && mode !== "logs") throw new Error(USAGE);
  const rate = numberFlag(flags, "rate", 10);
  const count = numberFlag(flags, "count", Infinity);
  const seed = numberFlag(flags, "seed", Date.now() % 1_000_000);
  const batch = Math.max(1, numberFlag(flags, "batch", 1));
  const stepMs = rate > 0 ? 1000 / rate : 1;
  const source = normalizeSource(flags.get("source") ?? { company: "acme", iot: "iot_sensors", logs: "app_logs" }[mode]);
  if (!source) throw new Error("--source must be 1-32 characters of a-z, 0-9 and _");
  const ctrl = new AbortController();
  process.once("SIGINT", () => ctrl.abort());
  const o = { rate, count, batch, signal: ctrl.signal };
  const started = Date.now();
  let sent = 0;

  if (mode === "company") {
    const url = flags.get("url") ?? "http://127.0.0.1:3000";
    const key = flags.get("key");
    if (!key) throw new Error("company: --key <API key> is required (one of INGEST_API_KEYS)");
    let rejected = 0;
    sent = await paced(companyPrices({ seed, stepMs }), o, async (records) => {
      const r = await postRecords(url, source, key, records);
      if (r.status !== 202) {
        rejected += records.length;
        console.warn(`POST answered ${r.status}: ${JSON.stringify(r.body)}`);
      }
    });
    console.log(`company ${source}: posted ${sent} prices (${rejected} rejected) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }

  const nc: NatsConnection = await connectCliNats(flags.get("nats"), `simulate-${mode}`);
  const encoder = new TextEncoder();
  const subject = ingestSubject(source, mode === "iot" ? "iot" : "logs");
  const records = mode === "iot" ? iotReadings({ seed, stepMs, sensors: numberFlag(flags, "sensors", 12), upgradeAfter: numberFlag(flags, "upgrade-after", 1000) }) : logLines({ seed, stepMs });
  // Plain NATS publishes, as any producer would: the CUSTOM stream captures `ingest.>`.
  sent = await paced(records, o, async (group) => {
    nc.publish(subject, encoder.encode(JSON.stringify(group.length === 1 ? group[0] : group)));
    if (rate > 0 || group.length >= 100) await nc.flush();
  });
  await nc.flush();
  await nc.close();
  console.log(`${mode} ${source}: published ${sent} records on ${subject} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
