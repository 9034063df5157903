import { test } from "node:test";
import assert from "node:assert/strict";
import { CoalescedRead } from "../../src/ingest/coalesced-read.js";
import { rng } from "../market/fixtures.js";

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A read whose answer is the number of the read, settled by hand. */
function manualReads() {
  const started: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = [];
  let running = 0;
  let maxRunning = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const n = started.length + 1;
      running++;
      maxRunning = Math.max(maxRunning, running);
      const done = () => running--;
      started.push({ n, resolve: () => (done(), resolve(n)), reject: (e) => (done(), reject(e)) });
    });
  return { read, started, maxRunning: () => maxRunning };
}

test("coalesced read: callers during a read share the next one; nobody gets a read that began before it asked; one read at a time (100 seeds)", async () => {
  for (let seed = 1; seed <= 100; seed++) {
    const random = rng(seed);
    const reads = manualReads();
    const shared = new CoalescedRead(reads.read);
    const answers: Array<Promise<PromiseSettledResult<number>>> = [];
    const askedAfter: number[] = []; // how many reads had started when each caller asked
    let settled = 0;
    for (let step = 0; step < 40; step++) {
      if (random() < 0.5) {
        askedAfter.push(reads.started.length);
        answers.push(Promise.allSettled([shared.get()]).then(([r]) => r!));
      } else if (settled < reads.started.length) {
        const r = reads.started[settled++]!;
        if (random() < 0.1) r.reject(new Error(`read ${r.n} failed`));
        else r.resolve();
        await tick();
      }
    }
    while (settled < reads.started.length || reads.started.length === 0) {
      if (settled < reads.started.length) reads.started[settled++]!.resolve();
      await tick();
      if (reads.started.length === 0) break;
    }
    const got = await Promise.all(answers);
    got.forEach((g, i) => {
      const n = g.status === "fulfilled" ? g.value : Number(/read (\d+)/.exec(String(g.reason))![1]);
      assert.ok(n > askedAfter[i]!, `seed ${seed}, caller ${i}: got read ${n}, but ${askedAfter[i]} had started when it asked`);
    });
    assert.ok(reads.maxRunning() <= 1, `seed ${seed}: ${reads.maxRunning()} reads at once`);
    assert.ok(reads.started.length <= answers.length, `seed ${seed}: ${reads.started.length} reads for ${answers.length} callers`);
  }
});

test("coalesced read: ten callers during one read cost two reads", async () => {
  const reads = manualReads();
  const shared = new CoalescedRead(reads.read);
  const first = shared.get();
  const rest = Array.from({ length: 10 }, () => shared.get());
  reads.started[0]!.resolve();
  assert.equal(await first, 1);
  await tick();
  assert.equal(reads.started.length, 2);
  reads.started[1]!.resolve();
  assert.deepEqual(await Promise.all(rest), Array(10).fill(2));
});
