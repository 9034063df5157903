import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../helpers/nats-server.js";
import { partitionConsumerConfig, recreateAtFloor } from "../../src/runtime/cluster/consumer/setup.js";

const spec = { durable: "r-p0", subjectPrefix: "ev", partition: 0, maxAckPending: 100, ackWaitMs: 30_000 };

test("recreateAtFloor starts after the acknowledged prefix, also when a durable it created has no ack yet (its ack floor reads 0)", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "EV", subjects: ["ev.>"] });
    const js = jetstream(nc);
    for (let i = 1; i <= 20; i++) await js.publish("ev.0.k", String(i));
    const config = (start: number | undefined) => partitionConsumerConfig(spec, start);
    // A first owner acknowledges 1..12.
    const first = await recreateAtFloor(nc, "EV", spec.durable, config);
    // AckAll: acknowledging 12 acknowledges 1..12.
    for await (const m of await first.fetch({ max_messages: 12, expires: 2000 })) if (m.seq === 12) await m.ackAck();
    assert.equal((await jsm.consumers.info("EV", spec.durable)).ack_floor.stream_seq, 12);
    // A second owner recreates it: it starts at 13; a third, before any ack, starts at 13 again.
    await recreateAtFloor(nc, "EV", spec.durable, config);
    assert.equal((await jsm.consumers.info("EV", spec.durable)).config.opt_start_seq, 13);
    const fresh = await jsm.consumers.info("EV", spec.durable);
    assert.equal(fresh.ack_floor.stream_seq, 0, "nats-server reports no ack floor for the fresh durable");
    await recreateAtFloor(nc, "EV", spec.durable, config);
    assert.equal((await jsm.consumers.info("EV", spec.durable)).config.opt_start_seq, 13, "not the stream's first message");
  } finally {
    await nc.close();
  }
});
