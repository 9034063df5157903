import type { NatsConnection } from "@nats-io/nats-core";
import { systemClock, type Clock } from "../clock.js";
import { BUCKETS } from "../nats/spec.js";
import { ClusterConfigError } from "./errors.js";
import type { ClusterEventListener } from "./events.js";
import { rendezvousPlacement, type Placement } from "./leases/placement.js";
import type { NodeId, PartitionHost } from "./types.js";

export interface ClusterNodeOptions {
  nc: NatsConnection;
  /** Unique per process; letters, digits, `_` and `-` (it is a KV key). */
  nodeId: NodeId;
  roles?: string[];
  host: PartitionHost;
  /** Fixed for the life of the data: it decides where state lives. Default 32. */
  partitionCount?: number;
  /** Member heartbeat period. Default 1000 ms. */
  heartbeatMs?: number;
  /** A member silent this long is gone; the members bucket's max_age. Default 5000 ms. */
  memberTtlMs?: number;
  /** A lease not renewed this long expires; the leases bucket's max_age. Default 5000 ms. */
  leaseTtlMs?: number;
  /** Renewal period. Default leaseTtlMs / 3. */
  renewEveryMs?: number;
  /** Stop a partition once this close to its lease's expiry without a renewal. Default leaseTtlMs / 5. */
  safetyMarginMs?: number;
  /** A free partition's k-th ranked node waits k × this before taking it. Default 2 × heartbeatMs. */
  takeoverGraceMs?: number;
  /** Keep a taken-over partition at least this long before handing it to its desired owner. Default leaseTtlMs. */
  takeoverHoldMs?: number;
  /** Only members with this role (or one of these roles) own partitions. Default: every member. */
  placementRole?: string | readonly string[];
  placement?: Placement;
  clock?: Clock;
  membersBucket?: string;
  leasesBucket?: string;
  onEvent?: ClusterEventListener;
}

export type ResolvedOptions = Required<Omit<ClusterNodeOptions, "placementRole" | "onEvent">> & {
  placementRole: readonly string[] | undefined;
  onEvent: ClusterEventListener | undefined;
};

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ClusterConfigError(name, `must be a positive number of ms, got ${value}`);
  return value;
}

/** Fills defaults once and checks the timing relations the safety argument relies on. */
export function resolveOptions(o: ClusterNodeOptions): ResolvedOptions {
  if (!/^[A-Za-z0-9_-]+$/.test(o.nodeId)) throw new ClusterConfigError("nodeId", `must match [A-Za-z0-9_-]+, got ${JSON.stringify(o.nodeId)}`);
  const partitionCount = o.partitionCount ?? 32;
  if (!Number.isInteger(partitionCount) || partitionCount < 1) throw new ClusterConfigError("partitionCount", `must be an integer ≥ 1, got ${partitionCount}`);
  const heartbeatMs = positive("heartbeatMs", o.heartbeatMs ?? 1000);
  const memberTtlMs = positive("memberTtlMs", o.memberTtlMs ?? 5000);
  const leaseTtlMs = positive("leaseTtlMs", o.leaseTtlMs ?? 5000);
  const renewEveryMs = positive("renewEveryMs", o.renewEveryMs ?? Math.floor(leaseTtlMs / 3));
  const safetyMarginMs = positive("safetyMarginMs", o.safetyMarginMs ?? Math.floor(leaseTtlMs / 5));
  if (memberTtlMs < 2 * heartbeatMs) throw new ClusterConfigError("memberTtlMs", `must be at least 2 × heartbeatMs (${2 * heartbeatMs}), got ${memberTtlMs}`);
  if (safetyMarginMs >= leaseTtlMs) throw new ClusterConfigError("safetyMarginMs", `must be below leaseTtlMs (${leaseTtlMs}), got ${safetyMarginMs}`);
  if (renewEveryMs >= leaseTtlMs - safetyMarginMs) {
    throw new ClusterConfigError("renewEveryMs", `must be below leaseTtlMs − safetyMarginMs (${leaseTtlMs - safetyMarginMs}) so a renewal is tried before the stop deadline, got ${renewEveryMs}`);
  }
  return {
    nc: o.nc,
    nodeId: o.nodeId,
    roles: o.roles ?? [],
    host: o.host,
    partitionCount,
    heartbeatMs,
    memberTtlMs,
    leaseTtlMs,
    renewEveryMs,
    safetyMarginMs,
    takeoverGraceMs: o.takeoverGraceMs ?? 2 * heartbeatMs,
    takeoverHoldMs: o.takeoverHoldMs ?? leaseTtlMs,
    placementRole: o.placementRole === undefined ? undefined : [o.placementRole].flat(),
    placement: o.placement ?? rendezvousPlacement,
    clock: o.clock ?? systemClock,
    membersBucket: o.membersBucket ?? BUCKETS.members,
    leasesBucket: o.leasesBucket ?? BUCKETS.leases,
    onEvent: o.onEvent,
  };
}
