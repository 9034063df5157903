import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { millis } from "@nats-io/nats-core";
import { bucketStreamName, ensureBucket } from "../nats/bootstrap.js";
import { clusterSize, replicasFor } from "../nats/cluster-size.js";
import { ClusterConfigError } from "./errors.js";

/**
 * Opens a cluster bucket whose max_age is part of the safety argument, creating it if absent.
 * An existing bucket with another max_age is refused, not changed: nodes stop partitions by their
 * own TTL, so a shorter bucket TTL than a node believes in would let leases expire under it.
 */
export async function openTtlBucket(nc: NatsConnection, name: string, ttlMs: number, option: string): Promise<KV> {
  const jsm = await jetstreamManager(nc);
  let maxAgeMs: number | undefined;
  try {
    maxAgeMs = millis((await jsm.streams.info(bucketStreamName(name))).config.max_age);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  if (maxAgeMs === undefined) {
    await ensureBucket(nc, jsm, { kind: "bucket", name, description: `cluster ${option}`, ttlMs, history: 1 }, replicasFor(clusterSize(nc)));
  } else if (maxAgeMs !== ttlMs) {
    throw new ClusterConfigError(option, `bucket ${name} has max_age ${maxAgeMs} ms but this node is configured with ${ttlMs} ms; every node must use the same value`);
  }
  return new Kvm(nc).open(name);
}
