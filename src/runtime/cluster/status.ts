import type { ClusterState } from "./events.js";
import type { Placement } from "./leases/placement.js";
import type { NodeId, OwnershipView } from "./types.js";

/** A plain, JSON-able picture of one node's view, for the admin endpoint and the dashboard. */
export interface ClusterStatus {
  nodeId: NodeId;
  state: ClusterState;
  members: { nodeId: NodeId; host: string; pid: number; roles: string[]; heartbeatAgeMs: number }[];
  /** One row per partition: lease holder as seen, and the rendezvous choice over live eligible members. */
  partitions: { partition: number; owner: NodeId | null; desired: NodeId | null }[];
  owned: number[];
}

export function clusterStatus(view: OwnershipView, state: ClusterState, ages: Map<NodeId, number>, eligible: NodeId[], placement: Placement): ClusterStatus {
  return {
    nodeId: view.nodeId,
    state,
    members: view.members().map((m) => ({ nodeId: m.nodeId, host: m.host, pid: m.pid, roles: [...m.roles], heartbeatAgeMs: ages.get(m.nodeId) ?? 0 })),
    partitions: Array.from({ length: view.partitionCount }, (_, p) => ({
      partition: p,
      owner: view.ownerOf(p) ?? null,
      desired: placement.ownerFor(p, eligible) ?? null,
    })),
    owned: [...view.ownedPartitions()].sort((a, b) => a - b),
  };
}
