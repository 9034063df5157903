import { test } from "node:test";
import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsCluster } from "../helpers/nats-server.js";
import { connectNats } from "../../src/runtime/nats/connect.js";
import { bucketStreamName } from "../../src/runtime/nats/bootstrap.js";
import { casBucketReplicas } from "../../src/runtime/nats/cluster-size.js";
import { openTtlBucket } from "../../src/runtime/cluster/buckets.js";
import { LeaseStore } from "../../src/runtime/cluster/leases/lease-store.js";

/**
 * The whole safety argument rests on the lease bucket's compare-and-set admitting one writer per
 * revision. On nats-server < 2.9.21 that is false for replicated streams (nats-server#4320), which
 * is why the lease bucket is R1 there. This hammers the bucket exactly as ClusterNode creates it.
 */
test("lease CAS on a 3-server cluster: concurrent writers expecting the same revision never both win", async () => {
  await using cluster = await startNatsCluster(3);
  const ncs = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => connectNats(cluster.servers[i]!.url, `cas-${i}`)));
  try {
    const replicas = casBucketReplicas(ncs[0]!);
    await openTtlBucket(ncs[0]!, "rt_leases", 60_000, "leaseTtlMs", replicas);
    const jsm = await jetstreamManager(ncs[0]!);
    assert.equal((await jsm.streams.info(bucketStreamName("rt_leases"))).config.num_replicas, replicas);
    const stores = await Promise.all(ncs.map(async (nc) => new LeaseStore(await new Kvm(nc).open("rt_leases"), 5000)));
    let doubleAcquire = 0;
    let doubleRenew = 0;
    for (let p = 0; p < 60; p++) {
      const record = (owner: string) => ({ owner, epoch: 1, acquiredAt: 0 });
      const acquired = await Promise.all(stores.map((s, i) => s.acquire(p, record(`n${i}`))));
      const winners = acquired.filter((r) => r !== undefined);
      if (winners.length !== 1) doubleAcquire++;
      const renewed = await Promise.all(stores.map((s, i) => s.renew(p, record(`n${i}`), winners[0]!)));
      if (renewed.filter((r) => r !== "conflict").length > 1) doubleRenew++;
      // Re-acquire after a delete (create on a tombstone is a CAS on the tombstone's revision).
      const last = (await stores[0]!.read(p))!;
      assert.ok(await stores[0]!.release(p, last.revision));
      const again = await Promise.all(stores.map((s, i) => s.acquire(p, record(`n${i}`))));
      if (again.filter((r) => r !== undefined).length !== 1) doubleAcquire++;
    }
    assert.equal(doubleAcquire, 0, "two nodes acquired one lease");
    assert.equal(doubleRenew, 0, "two writers renewed from one revision");
  } finally {
    for (const nc of ncs) await nc.close();
  }
});
