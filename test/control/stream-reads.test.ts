/**
 * The log browser's reads cannot pile up consumers (issue 12, finding 4): each `control.messages`
 * read is an ephemeral consumer, so reads through one JetStream client pass a gate — two at once,
 * eight waiting, the rest refused with StreamReadsBusy — and a rare subject is looked for only in
 * the last BROWSER_MAX_SCAN sequences. Pure gate first, then against a real nats-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { lastMessages, READ_CONSUMER_PREFIX, ReadGate, StreamReadsBusy, subjectMessages } from "../../src/control/index.js";
import { startNatsServer } from "../helpers/nats-server.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test("ReadGate: at most maxRunning at once, maxWaiting queued, the rest refused; every slot comes back", async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const gate = new ReadGate({ maxRunning: 2, maxWaiting: 3 });
    let running = 0;
    let peak = 0;
    const reads = Array.from({ length: 10 }, () => deferred());
    const results = reads.map((d, i) =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await d.promise;
        running--;
        return i;
      }),
    );
    const settled = Promise.allSettled(results);
    // Finish the admitted reads in a seed-dependent order, one at a time.
    const order = [0, 1, 2, 3, 4].sort((a, b) => ((a * 7 + seed * 13) % 5) - ((b * 7 + seed * 13) % 5));
    for (const i of order) {
      reads[i]!.resolve();
      await new Promise((r) => setImmediate(r));
    }
    const outcome = await settled;
    assert.deepEqual(outcome.slice(0, 5).map((o) => o.status === "fulfilled" && o.value), [0, 1, 2, 3, 4], `seed ${seed}`);
    assert.ok(outcome.slice(5).every((o) => o.status === "rejected" && o.reason instanceof StreamReadsBusy), `seed ${seed}: the sixth and later are refused`);
    assert.ok(peak <= 2, `seed ${seed}: ${peak} ran at once`);
    assert.equal(gate.running, 0);
    assert.equal(gate.waiting, 0);
    // A failing read gives its slot back too.
    await assert.rejects(gate.run(async () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(await gate.run(async () => "after"), "after");
  }
  assert.throws(() => new ReadGate({ maxRunning: 0 }), /maxRunning must be a positive integer/);
});

test("thirty parallel control.messages reads: ten run, twenty are refused, never more than two consumers at once", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url, name: "stream-reads" });
  const jsm = await jetstreamManager(nc);
  const stream = `BROWSE_${randomBytes(4).toString("hex")}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = jetstream(nc);
  await js.publish(`${stream}.rare`, "the only rare message, at the stream's start");
  for (let i = 0; i < 3_000; i++) void js.publish(`${stream}.common`, `m${i}`);
  await nc.flush();
  while ((await jsm.streams.info(stream)).state.messages < 3_001) await new Promise((r) => setImmediate(r));

  // Watch the stream's consumers while the reads run (sampling: it can miss a peak, never invent one).
  let peak = 0;
  const seen = new Set<string>();
  let reading = true;
  const watcher = (async () => {
    while (reading) {
      const names: string[] = [];
      for await (const c of jsm.consumers.list(stream)) names.push(c.name);
      for (const n of names) seen.add(n);
      peak = Math.max(peak, names.length);
    }
  })();

  const reads = Array.from({ length: 30 }, () => subjectMessages(jsm, js, stream, `${stream}.common`, 200));
  const outcome = await Promise.allSettled(reads);
  reading = false;
  await watcher;

  const ok = outcome.filter((o) => o.status === "fulfilled");
  const busy = outcome.filter((o) => o.status === "rejected" && o.reason instanceof StreamReadsBusy);
  assert.equal(ok.length, 10, "two running and eight waiting are served");
  assert.equal(busy.length, 20, "the rest are refused at once");
  for (const o of ok) assert.equal((o as PromiseFulfilledResult<unknown[]>).value.length, 200);
  assert.ok(peak <= 2, `${peak} consumers at once`);
  assert.ok([...seen].every((n) => n.startsWith(READ_CONSUMER_PREFIX)), `consumers named ${[...seen].join(", ")}`);
  assert.equal((await jsm.streams.info(stream)).state.consumer_count, 0, "every read removed its consumer");

  // A rare subject: the browser looks back a bounded number of sequences; a direct call may go further.
  assert.deepEqual(await lastMessages(jsm, js, { stream, subject: `${stream}.rare`, limit: 1, maxScan: 1_000 }), []);
  const [rare] = await lastMessages(jsm, js, { stream, subject: `${stream}.rare`, limit: 1 });
  assert.equal(rare?.seq, 1);
  await nc.close();
});
