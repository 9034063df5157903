import type { MemberInfo, NodeId, PartitionStopReason } from "./types.js";

export type ClusterState = "idle" | "starting" | "running" | "leaving" | "stopped" | "failed";

/** Everything a ClusterNode decides, as data the dashboard and logs can show. */
export type ClusterEvent =
  | { type: "state"; state: ClusterState }
  | { type: "member-joined"; member: MemberInfo }
  | { type: "member-left"; nodeId: NodeId; why: "deleted" | "expired" }
  | { type: "partition-acquired"; partition: number; epoch: number; revision: number; tookOver: boolean }
  | { type: "partition-released"; partition: number; reason: Exclude<PartitionStopReason, "lease-lost"> }
  | { type: "partition-lost"; partition: number; cause: string }
  | { type: "partition-start-failed"; partition: number; error: string }
  | { type: "error"; where: string; error: string };

export type ClusterEventListener = (event: ClusterEvent) => void;

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
