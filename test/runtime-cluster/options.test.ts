import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveOptions, type ClusterNodeOptions } from "../../src/runtime/cluster/options.js";
import { ClusterConfigError, ClusterNode } from "../../src/runtime/cluster/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { RunLedger } from "./recording-host.js";

const base = { nc: {} as ClusterNodeOptions["nc"], nodeId: "a", host: new RunLedger().hostFor("a") };

test("defaults: 32 partitions, 1 s heartbeat, 5 s member and lease TTL, renew every TTL/3, margin TTL/5", () => {
  const o = resolveOptions(base);
  assert.deepEqual(
    [o.partitionCount, o.heartbeatMs, o.memberTtlMs, o.leaseTtlMs, o.renewEveryMs, o.safetyMarginMs, o.takeoverGraceMs, o.takeoverHoldMs],
    [32, 1000, 5000, 5000, 1666, 1000, 2000, 5000],
  );
});

test("options that would break the safety argument are refused with the option's name", () => {
  const bad: [Partial<ClusterNodeOptions>, string][] = [
    [{ nodeId: "a.b" }, "nodeId"],
    [{ partitionCount: 0 }, "partitionCount"],
    [{ heartbeatMs: 1000, memberTtlMs: 1500 }, "memberTtlMs"],
    [{ leaseTtlMs: 5000, safetyMarginMs: 5000 }, "safetyMarginMs"],
    [{ leaseTtlMs: 5000, safetyMarginMs: 1000, renewEveryMs: 4000 }, "renewEveryMs"],
    [{ leaseTtlMs: -1 }, "leaseTtlMs"],
  ];
  for (const [patch, option] of bad) {
    assert.throws(() => resolveOptions({ ...base, ...patch }), (err: unknown) => err instanceof ClusterConfigError && err.option === option, option);
  }
});

test("a node configured with another lease TTL than the bucket's max_age refuses to start", async () => {
  await using server = await startNatsServer();
  const nc = await connectNats(server.url, "options-test");
  const ledger = new RunLedger();
  try {
    await using first = new ClusterNode({ nc, nodeId: "a", host: ledger.hostFor("a"), leaseTtlMs: 5000 });
    await first.start();
    const second = new ClusterNode({ nc, nodeId: "b", host: ledger.hostFor("b"), leaseTtlMs: 3000 });
    await assert.rejects(second.start(), (err: unknown) => err instanceof ClusterConfigError && err.option === "leaseTtlMs");
    assert.equal(second.state, "failed");
  } finally {
    await nc.close();
  }
});
