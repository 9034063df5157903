import { test } from "node:test";
import assert from "node:assert/strict";
import { ShutdownSequence } from "../../src/node/shutdown.js";

test("steps run phase by phase, latest registered first within a phase, each once", async () => {
  const order: string[] = [];
  const seq = new ShutdownSequence()
    .add("close", "nats", () => void order.push("close:nats"))
    .add("release", "leases", () => void order.push("release:leases"))
    .add("stop-intake", "ingest", () => void order.push("stop-intake:ingest"))
    .add("flush", "lake", async () => void order.push("flush:lake"))
    .add("drain", "mailboxes", () => void order.push("drain:mailboxes"))
    .add("stop-intake", "gateway", () => void order.push("stop-intake:gateway"));
  const [a, b] = await Promise.all([seq.run(), seq.run()]);
  assert.equal(a, b);
  assert.deepEqual(order, ["stop-intake:gateway", "stop-intake:ingest", "drain:mailboxes", "flush:lake", "release:leases", "close:nats"]);
});

test("a failing step is reported and the rest still run", async () => {
  const order: string[] = [];
  const report = await new ShutdownSequence()
    .add("flush", "lake", () => {
      throw new Error("disk full");
    })
    .add("close", "nats", () => void order.push("nats"))
    .run();
  assert.deepEqual(order, ["nats"]);
  assert.equal(report.steps[0]?.error, "disk full");
  assert.equal(report.steps[1]?.error, undefined);
});
