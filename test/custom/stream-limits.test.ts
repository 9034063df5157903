/**
 * One custom source cannot push another's data out of CUSTOM (issue 12, finding 4): the stream
 * refuses new messages when full (discard new) and caps each ingest.<source>.<data_type>, whose
 * own oldest message goes past the cap. Real nats-server, the platform's stream spec with small limits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { bootstrap, platformLogSpec, STREAMS } from "../../src/runtime/nats/index.js";
import { startNatsServer } from "../helpers/nats-server.js";

test("a source flooding CUSTOM over many data types evicts none of another source's messages", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url, name: "custom-flood" });
  try {
    const spec = platformLogSpec({ custom: { maxAgeMs: 0, maxBytes: 32 * 1024, maxMsgsPerSubject: 5 } }).filter((s) => s.name === STREAMS.custom);
    await bootstrap(nc, spec, { replicas: 1 });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const record = (who: string, i: number) => JSON.stringify({ who, i, pad: "x".repeat(900) });
    for (let i = 0; i < 4; i++) await js.publish("ingest.victim.iot", record("victim", i));

    const refusals = new Set<string>();
    let stored = 0;
    for (let type = 0; type < 40; type++) {
      for (let i = 0; i < 8; i++) {
        try {
          await js.publish(`ingest.flooder.t${type}`, record("flooder", i));
          stored++;
        } catch (err) {
          refusals.add((err as Error).message);
        }
      }
    }
    assert.ok(stored > 0 && refusals.size > 0, `the flood filled the stream (${stored} stored, refusals: ${[...refusals].join(", ")})`);
    assert.deepEqual([...refusals], ["maximum bytes exceeded"], "a full stream refuses with a clear error");

    const info = await jsm.streams.info(STREAMS.custom, { subjects_filter: ">" });
    const subjects = info.state.subjects ?? {};
    assert.equal(subjects["ingest.victim.iot"], 4, "every message of the other source is still stored");
    assert.ok(Object.entries(subjects).every(([, n]) => n <= 5), `no subject holds more than its cap: ${JSON.stringify(subjects)}`);
    const victim = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(STREAMS.custom, { seq }).catch(() => null);
      if (m?.subject === "ingest.victim.iot") victim.push((m.json() as { i: number }).i);
    }
    assert.deepEqual(victim, [0, 1, 2, 3]);
  } finally {
    await nc.close();
  }
});
