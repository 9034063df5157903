import { test } from "node:test";
import assert from "node:assert/strict";
import { ALL_TRADES, candleSubject, dlqReasonOf, dlqSubject, eventSubject, ingestHandoverSubject, platformLogSpec, silverSubject, STREAMS, tickSubject, tradeSubject } from "../../src/runtime/nats/spec.js";

test("subject builders spell the platform's subjects", () => {
  const table: [string, string][] = [
    [tradeSubject(3, "BTCUSDT"), "md.trades.3.BTCUSDT"],
    [silverSubject("BTCUSDT"), "silver.BTCUSDT"],
    [candleSubject("BTCUSDT"), "candles.BTCUSDT"],
    [tickSubject("BTCUSDT"), "ticks.BTCUSDT"],
    [dlqSubject("schema_conflict"), "dlq.schema_conflict"],
    [dlqSubject(">"), "dlq.>"],
    [eventSubject("quality", "report"), "events.quality.report"],
    [eventSubject("log", "node-1"), "events.log.node-1"],
    [eventSubject("log", ">"), "events.log.>"],
    [eventSubject(">"), "events.>"],
    [ALL_TRADES, "md.trades.>"],
    [ingestHandoverSubject(7), "rt.ingest.handover.7"],
  ];
  for (const [built, expected] of table) assert.equal(built, expected);
});

test("dlqReasonOf reads the reason back, and only from a DLQ subject", () => {
  assert.equal(dlqReasonOf(dlqSubject("rate_limited")), "rate_limited");
  assert.equal(dlqReasonOf("events.dlq.x"), undefined);
  assert.equal(dlqReasonOf("dlq"), undefined);
});

test("the DLQ and EVENTS streams hold what the builders make", () => {
  const subjects = (name: string) => platformLogSpec().flatMap((s) => (s.kind === "stream" && s.name === name ? s.subjects : []));
  assert.deepEqual(subjects(STREAMS.dlq), ["dlq.>"]);
  assert.deepEqual(subjects(STREAMS.events), ["events.>"]);
});
