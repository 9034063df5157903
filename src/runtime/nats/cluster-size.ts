import type { NatsConnection } from "@nats-io/nats-core";
import { JetStreamApiError } from "@nats-io/jetstream";

/**
 * How many servers the connected NATS cluster has, from the server INFO: a clustered server names
 * its cluster and advertises every member's client URL in `connect_urls` (nats 2.9 and later).
 * A lone server has no cluster name. Servers started with `no_advertise` under-report; the
 * create-and-fall-back in bootstrap covers that case.
 */
export function clusterSizeFromInfo(info: { cluster?: string; connect_urls?: string[] } | undefined): number {
  if (!info?.cluster) return 1;
  const urls = new Set(info.connect_urls ?? []);
  return Math.max(1, urls.size);
}

export function clusterSize(nc: NatsConnection): number {
  return clusterSizeFromInfo(nc.info);
}

/** Replicas for platform streams: min(3, cluster size). */
export function replicasFor(size: number): number {
  return Math.max(1, Math.min(3, size));
}

/** JetStream errors that mean "not enough servers for this many replicas". */
const TOO_FEW_PEERS = new Set([
  10005, // no suitable peers for placement
  10023, // insufficient resources
  10074, // replicas > 1 not supported in non-clustered mode
]);

export function isTooFewPeers(err: unknown): boolean {
  return err instanceof JetStreamApiError && TOO_FEW_PEERS.has(err.code);
}
