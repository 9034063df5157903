/**
 * Issue 12 "Quotas" on the NATS path: the router's per-source rate limit (CUSTOM_NATS_RATE_LIMIT).
 * A flooding source's records past its burst go to dlq.rate_limited with the reason, a trickling
 * source is untouched, a forged Ingest-Time header buys no tokens, and records the gateway stored
 * count in the same bucket. Real nats-server, router and lake. The bucket's clock is the time the
 * server stored each message, so the test bounds the refill from those same stored times.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { jetstreamManager } from "@nats-io/jetstream";
import { readCustomTable } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { ADMIN_KEY, deadLetters, routedAll, startRouter, startStack, type Stack } from "./support.js";

const enc = new TextEncoder();
const RATE = 1; // records/s: the refill while a test publishes is (nearly) nothing
const BURST = 1000; // the router's bucket: 5 s of records, at least one full message (1,000 records)

/** Records the bucket can have refilled between the first and the last of these CUSTOM messages. */
async function refillBetween(s: Stack, seqs: number[]): Promise<number> {
  const jsm = await jetstreamManager(s.probe);
  const times = await Promise.all(seqs.map(async (seq) => (await jsm.streams.getMessage("CUSTOM", { seq }))!.time.getTime()));
  return Math.floor(((Math.max(...times) - Math.min(...times)) * RATE) / 1000);
}

async function lastCustomSeq(s: Stack): Promise<number> {
  return (await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.last_seq;
}

test("NATS path: a flooding source is dead-lettered past its burst (rate_limited), a trickling one lands whole, a forged Ingest-Time refills nothing", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake, { quotas: { recordsPerSecond: RATE } });

  // flood: 3 messages of 1,000 records; the 2nd and 3rd claim to be 10 days later (Ingest-Time),
  // which would refill the bucket if the router trusted the header as its clock.
  const floodSeqs: number[] = [];
  let trickle = 0;
  for (let m = 0; m < 3; m++) {
    const h = natsHeaders();
    if (m > 0) h.set("Ingest-Time", String(Date.now() + m * 10 * 86_400_000));
    const records = Array.from({ length: 1000 }, (_, k) => ({ i: m * 1000 + k }));
    s.probe.publish("ingest.flood.iot", enc.encode(JSON.stringify(records)), { headers: h });
    await s.probe.flush();
    floodSeqs.push(await lastCustomSeq(s));
    for (let k = 0; k < 2; k++) s.probe.publish("ingest.trickle.iot", enc.encode(JSON.stringify({ n: trickle++ })));
  }
  await s.probe.flush();
  await routedAll(s, r.router);

  const trickled = await readCustomTable(lake.table("custom.trickle.iot"));
  assert.deepEqual(trickled.map((x) => x.n).sort((a, b) => Number(a) - Number(b)), [0, 1, 2, 3, 4, 5], "every record of the other source landed");

  const landed = new Set((await readCustomTable(lake.table("custom.flood.iot"))).map((x) => Number(x.i)));
  for (let i = 0; i < BURST; i++) assert.ok(landed.has(i), `flood record ${i} (within the burst) landed`);
  const refill = await refillBetween(s, floodSeqs);
  assert.ok(landed.size <= BURST + refill, `${landed.size} flood records landed; at most ${BURST} + ${refill} refilled`);

  const limited = (await deadLetters(s)).filter((d) => d.subject === "dlq.rate_limited");
  assert.ok(limited.every((d) => d.body.source === "flood" && d.body.reason === "rate_limited"), "only the flooding source is dead-lettered");
  assert.match(String(limited[0]?.body.message), /^source flood sends more than 1 records\/s \(burst 1000\); retry in \d+ s \(CUSTOM_NATS_RATE_LIMIT\)$/);
  const parked = limited.map((d) => Number((JSON.parse(String(d.body.raw)) as { i: number }).i));
  assert.equal(new Set(parked).size, parked.length, "each refused record dead-lettered once");
  assert.ok(parked.every((i) => !landed.has(i)), "a refused record is not also in the table");
  assert.equal(landed.size + parked.length, 3000, "every flood record is either in the table or in dlq.rate_limited");
  assert.deepEqual(r.router.status().deadLetters, { rate_limited: parked.length });
});

test("NATS path: records the gateway stored count in the same bucket (a publisher cannot pass as the gateway)", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake, { quotas: { recordsPerSecond: RATE } });

  const posted = await s.post("/api/ingest/gw/iot", Array.from({ length: BURST }, (_, k) => ({ i: k })), { "x-api-key": ADMIN_KEY });
  assert.equal(posted.status, 202);
  const seqs = [await lastCustomSeq(s)];
  // The same source over NATS, with the gateway's header copied: the bucket is already empty.
  const h = natsHeaders();
  h.set("Ingest-Time", String(Date.now()));
  s.probe.publish("ingest.gw.iot", enc.encode(JSON.stringify(Array.from({ length: 20 }, (_, k) => ({ i: BURST + k })))), { headers: h });
  await s.probe.flush();
  seqs.push(await lastCustomSeq(s));
  await routedAll(s, r.router);

  const landed = (await readCustomTable(lake.table("custom.gw.iot"))).map((x) => Number(x.i));
  const refill = await refillBetween(s, seqs);
  assert.ok(landed.length >= BURST && landed.length <= BURST + refill, `${landed.length} landed; ${BURST} posted, at most ${refill} refilled`);
  const limited = (await deadLetters(s)).filter((d) => d.subject === "dlq.rate_limited");
  assert.equal(limited.length, BURST + 20 - landed.length);
  assert.ok(limited.length > 0, "the NATS records past the gateway's are refused");
});
