import type { NodeId, PartitionHost, PartitionStopReason } from "../../src/runtime/cluster/types.js";

/** Shared by every host of one in-process cluster: who runs what, and any overlap ever seen. */
export class RunLedger {
  readonly running = new Map<number, NodeId>();
  readonly overlaps: string[] = [];
  readonly log: { node: NodeId; partition: number; op: "start" | "stop"; reason?: PartitionStopReason }[] = [];

  hostFor(node: NodeId): PartitionHost & { readonly mine: Set<number> } {
    const mine = new Set<number>();
    return {
      mine,
      startPartition: async (p) => {
        const other = this.running.get(p);
        if (other !== undefined) this.overlaps.push(`p${p} started on ${node} while running on ${other}`);
        this.running.set(p, node);
        mine.add(p);
        this.log.push({ node, partition: p, op: "start" });
      },
      stopPartition: async (p, reason) => {
        if (this.running.get(p) === node) this.running.delete(p);
        mine.delete(p);
        this.log.push({ node, partition: p, op: "stop", reason });
      },
    };
  }
}
