import { test } from "node:test";
import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { SingletonLease } from "../../src/custom/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

test("SingletonLease: one holder; a conflicting write stops it; the key expires and a holder starts again", async () => {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const running = new Set<string>();
  const events: string[] = [];
  let overlap = false;
  const open = (owner: string) =>
    SingletonLease.open(nc, {
      key: "job",
      owner,
      ttlMs: 900,
      start: async () => {
        running.add(owner);
        if (running.size > 1) overlap = true;
        events.push(`start ${owner}`);
        return async () => {
          running.delete(owner);
          events.push(`stop ${owner}`);
        };
      },
    });
  const a = await open("a");
  const b = await open("b");
  try {
    await waitFor(() => running.size === 1, { what: "one holder" });
    const first = [...running][0]!;
    // Someone else overwrites the key: the holder's next renewal conflicts and it stops at once.
    const kv = await new Kvm(nc).open("rt_singletons");
    await kv.put("job", new TextEncoder().encode("intruder"));
    await waitFor(() => events.includes(`stop ${first}`), { what: "the holder stops on a conflict" });
    // Nobody may start while the intruder's entry lives; once it expires (TTL) one holder starts.
    await waitFor(() => running.size === 1, { what: "a holder after the key expired", timeoutMs: 10_000 });
    assert.equal(events.filter((e) => e.startsWith("start")).length, 2);
    assert.equal(overlap, false, "never two holders at once");
  } finally {
    await a.close();
    await b.close();
    await nc.close();
  }
  assert.equal(running.size, 0, "close stops the job");
});
