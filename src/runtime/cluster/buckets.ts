import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { millis } from "@nats-io/nats-core";
import { bucketStreamName, ensureBucket, waitForStreamLeader } from "../nats/bootstrap.js";
import { ClusterConfigError } from "./errors.js";

/**
 * Opens a cluster bucket whose max_age is part of the safety argument, creating it if absent.
 * An existing bucket with another max_age is refused, not changed: nodes stop partitions by their
 * own TTL, so a shorter bucket TTL than a node believes in would let leases expire under it.
 * Transient failures (several nodes creating the same R3 bucket at once can time out while the
 * meta leader is busy) are retried a few times.
 */
export async function openTtlBucket(nc: NatsConnection, name: string, ttlMs: number, option: string, replicas: number, attempts = 5): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openOnce(nc, name, ttlMs, option, replicas);
    } catch (err) {
      if (err instanceof ClusterConfigError || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function openOnce(nc: NatsConnection, name: string, ttlMs: number, option: string, replicas: number): Promise<KV> {
  const jsm = await jetstreamManager(nc, { timeout: 2000 });
  let existing: { maxAgeMs: number; replicas: number; leaderless: boolean } | undefined;
  try {
    const si = await jsm.streams.info(bucketStreamName(name));
    existing = { maxAgeMs: millis(si.config.max_age), replicas: si.config.num_replicas, leaderless: si.cluster !== undefined && !si.cluster.leader };
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  if (existing === undefined) {
    await ensureBucket(nc, jsm, { kind: "bucket", name, description: `cluster ${option}`, ttlMs, history: 1 }, replicas);
  } else if (existing.maxAgeMs !== ttlMs) {
    throw new ClusterConfigError(option, `bucket ${name} has max_age ${existing.maxAgeMs} ms but this node is configured with ${ttlMs} ms; every node must use the same value`);
  } else if (existing.replicas > replicas) {
    throw new ClusterConfigError(
      option,
      `bucket ${name} has ${existing.replicas} replicas, but this NATS server (${nc.info?.version}) does not serialise compare-and-set on replicated streams (fixed in 2.9.21); recreate it with 1 replica or upgrade NATS`,
    );
  } else if (existing.leaderless) {
    // Another node has just created it: writes fail with "no responders" until it has a leader.
    await waitForStreamLeader(nc, bucketStreamName(name));
  }
  return new Kvm(nc).open(name);
}
