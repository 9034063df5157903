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

/** "2.9.10" → [2, 9, 10]; unknown parts are 0. */
export function parseVersion(version: string | undefined): [number, number, number] {
  const [a = 0, b = 0, c = 0] = (version ?? "0.0.0").split(/[.-]/).slice(0, 3).map((x) => Number.parseInt(x, 10) || 0);
  return [a, b, c];
}

/**
 * Before nats-server 2.9.21, a replicated (R>1) stream checked `Nats-Expected-Last-Subject-Sequence`
 * only before proposing the write to its RAFT group, so concurrent writers expecting the same
 * revision could all succeed (nats-server#4320, fixed by #4319). Measured here on 2.9.10: about half
 * of concurrent same-revision `kv.update`s on an R3 bucket succeeded more than once; none on R1.
 * R1 streams have no RAFT group and check under the stream lock, so they are safe on every version.
 */
export function replicatedCasIsSafe(version: string | undefined): boolean {
  const [major, minor, patch] = parseVersion(version);
  return major > 2 || (major === 2 && (minor > 9 || (minor === 9 && patch >= 21)));
}

/**
 * Replicas for a bucket whose correctness rests on compare-and-set (leases): min(3, cluster size)
 * when the server serialises replicated CAS, else 1 — safety over availability: if the one server
 * holding the bucket is down, every node loses its leases and stops its partitions until it returns.
 */
export function casBucketReplicas(nc: NatsConnection): number {
  const size = clusterSize(nc);
  return size > 1 && !replicatedCasIsSafe(nc.info?.version) ? 1 : replicasFor(size);
}
