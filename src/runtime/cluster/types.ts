/**
 * Seams between cluster membership/leases (who runs which partition) and what runs inside a
 * partition (sharded entity regions, durable consumers). Membership and leases call a
 * PartitionHost; regions implement it.
 */

export type NodeId = string;

export interface MemberInfo {
  nodeId: NodeId;
  host: string;
  pid: number;
  roles: string[];
  startedAt: number;
  heartbeatAt: number;
}

export type PartitionStopReason = "handoff" | "shutdown" | "lease-lost";

/** Runs a partition's work. `start` after the lease is acquired; `stop` resolves once drained, before the lease is released. */
export interface PartitionHost {
  startPartition(partition: number): Promise<void>;
  stopPartition(partition: number, reason: PartitionStopReason): Promise<void>;
}

/** Read side of ownership, fed by a KV watch of the lease bucket. */
export interface OwnershipView {
  readonly nodeId: NodeId;
  readonly partitionCount: number;
  /** The lease holder of a partition as last seen, or undefined while it has none. */
  ownerOf(partition: number): NodeId | undefined;
  /** Partitions this node currently runs (lease held and host started). */
  ownedPartitions(): ReadonlySet<number>;
  members(): MemberInfo[];
  /** Called whenever a partition's lease holder changes (including to undefined). Returns an unsubscribe. */
  onOwnerChange(listener: (partition: number, owner: NodeId | undefined) => void): () => void;
}
