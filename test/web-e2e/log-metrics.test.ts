/**
 * The log's metrics on a real nats-server: stream sizes, durable consumers' backlog, and the lake
 * and serving writers' lag in messages and seconds (they acknowledge after committing), read when
 * scraped. With NATS gone a scrape still answers, saying the log could not be read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { NodeMetrics } from "../../src/node/metrics.js";
import { writerLag } from "../../src/node/log-metrics.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { parseMetrics } from "./stack.js";

test("writerLag: pending plus ack pending; the oldest unacknowledged message's age, 0 when caught up", () => {
  assert.deepEqual(writerLag({ num_pending: 4, num_ack_pending: 2 }, 10_000, 12_500), { messages: 6, seconds: 2.5 });
  assert.deepEqual(writerLag({ num_pending: 0, num_ack_pending: 0 }, null, 12_500), { messages: 0, seconds: 0 });
  assert.deepEqual(writerLag({ num_pending: 3, num_ack_pending: 0 }, null, 12_500), { messages: 3, seconds: null }, "unknown age, not 0");
  assert.deepEqual(writerLag({ num_pending: 1, num_ack_pending: 0 }, 13_000, 12_500), { messages: 1, seconds: 0 }, "clock skew never gives a negative age");
});

test("lake and serving lag, stream sizes and durable consumers from the real log; gone when caught up; NATS down reads as unreadable", async () => {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "TRADES", subjects: ["md.trades.>"] });
    await jsm.streams.add({ name: "SILVER", subjects: ["silver.>"] });
    await jsm.consumers.add("TRADES", { durable_name: "lake-bronze", ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add("SILVER", { durable_name: "lake-silver", ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish(`md.trades.0.S${i}`, "t");
    for (let i = 0; i < 3; i++) await js.publish("silver.BTCUSDT", "b");
    await delay(1_100); // the oldest trade is now over a second old
    // The bronze writer committed (and acknowledged) the first 4; the silver writer everything.
    const bronze = await (await js.consumers.get("TRADES", "lake-bronze")).fetch({ max_messages: 4, expires: 2_000 });
    for await (const m of bronze) m.ack();
    const silver = await (await js.consumers.get("SILVER", "lake-silver")).fetch({ max_messages: 3, expires: 2_000 });
    for await (const m of silver) m.ack();
    await nc.flush();
    // An ephemeral consumer (a log-browser read) has a random name: it gets no series.
    await js.consumers.get("TRADES");

    const metrics = new NodeMetrics({ processMetrics: false });
    let m = parseMetrics(await metrics.registry.metrics());
    assert.equal(m.has("nats_stream_messages{stream=\"TRADES\"}"), false, "nothing before the web component gives it the log");
    metrics.watchLog(jsm);
    m = parseMetrics(await metrics.registry.metrics());
    assert.equal(m.get("nats_log_readable"), 1);
    assert.equal(m.get('nats_stream_messages{stream="TRADES"}'), 10);
    assert.ok(m.get('nats_stream_bytes{stream="TRADES"}')! > 0);
    assert.equal(m.get('lake_commit_lag_messages{table="bronze_trades"}'), 6);
    const age = m.get('lake_commit_lag_seconds{table="bronze_trades"}')!;
    assert.ok(age >= 1 && age < 60, `the 5th trade was stored over a second ago: ${age}`);
    assert.equal(m.get('lake_commit_lag_messages{table="silver_bars"}'), 0);
    assert.equal(m.get('lake_commit_lag_seconds{table="silver_bars"}'), 0);
    assert.equal(m.get('nats_consumer_pending_messages{stream="TRADES",consumer="lake-bronze"}'), 6);
    assert.equal(m.has('serving_lag_messages{consumer="serving"}'), false, "no serving writer in this cluster: no series, not a 0");
    const consumerSeries = [...m.keys()].filter((k) => k.startsWith("nats_consumer_pending_messages"));
    assert.deepEqual(consumerSeries.sort(), ['nats_consumer_pending_messages{stream="SILVER",consumer="lake-silver"}', 'nats_consumer_pending_messages{stream="TRADES",consumer="lake-bronze"}']);

    // The serving writer appears and the bronze writer catches up.
    await jsm.consumers.add("SILVER", { durable_name: "serving", ack_policy: AckPolicy.Explicit });
    const rest = await (await js.consumers.get("TRADES", "lake-bronze")).fetch({ max_messages: 6, expires: 2_000 });
    for await (const msg of rest) msg.ack();
    await nc.flush();
    await delay(1_100); // past the one-second snapshot shared by close scrapes
    m = parseMetrics(await metrics.registry.metrics());
    assert.equal(m.get('lake_commit_lag_messages{table="bronze_trades"}'), 0);
    assert.equal(m.get('lake_commit_lag_seconds{table="bronze_trades"}'), 0);
    assert.equal(m.get('serving_lag_messages{consumer="serving"}'), 3);
    assert.ok(m.get('serving_lag_seconds{consumer="serving"}')! >= 1);

    // NATS gone: the scrape still answers (within its read timeout), without the log's series.
    await nats.kill();
    await delay(1_100);
    m = parseMetrics(await metrics.registry.metrics());
    assert.equal(m.get("nats_log_readable"), 0);
    assert.equal(m.has('nats_stream_messages{stream="TRADES"}'), false);
    assert.equal(m.has('lake_commit_lag_messages{table="bronze_trades"}'), false);
  } finally {
    await nc.close().catch(() => {});
    await nats.stop().catch(() => {});
  }
});
