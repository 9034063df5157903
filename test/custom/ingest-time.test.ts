/**
 * Issue 12, finding 6 on the NATS path: the time bounds are measured from the receive time, and
 * the router took it from the `Ingest-Time` header, which any NATS publisher can write. A header
 * forged a day ahead let a trade timed a day ahead into TRADES (moving its symbol's watermark).
 * Real nats-server, router and lake.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { Lake } from "../../src/lake/index.js";
import { deadLetters, routedAll, startRouter, startStack, tradesInLog } from "./support.js";

const DAY = 86_400_000;
const enc = new TextEncoder();

test("NATS path: an Ingest-Time header forged ahead does not let a far-future trade through; the gateway's own stamp still counts", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  const now = Date.now();

  const forged = natsHeaders();
  forged.set("Ingest-Time", String(now + DAY));
  s.probe.publish("ingest.mallory.market", enc.encode(JSON.stringify({ symbol: "W", price: 1, timestamp: now + DAY - 60_000 })), { headers: forged });
  // An honest stamp a moment before the store (what the gateway writes) is the receive time.
  const honest = natsHeaders();
  honest.set("Ingest-Time", String(now - 1000));
  s.probe.publish("ingest.alice.market", enc.encode(JSON.stringify({ symbol: "W", price: 2, timestamp: now - 1000 })), { headers: honest });
  await s.probe.flush();
  await routedAll(s, r.router);
  await r.publisher.flush();

  const trades = await tradesInLog(s);
  assert.deepEqual(trades.map((t) => [t.symbol, t.ingestTime]), [["ALICE_W", now - 1000]], "only the honest trade, with the gateway's receive time");
  const dead = await deadLetters(s);
  assert.deepEqual(dead.map((d) => [d.subject, d.body.source, d.body.field]), [["dlq.timestamp_out_of_range", "mallory", "timestamp"]]);
  assert.match(String(dead[0]!.body.message), /after the receive time .* \(CUSTOM_MAX_FUTURE_SKEW\)/);
});
