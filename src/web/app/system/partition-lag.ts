import type { PartitionLag } from "../../../runtime/status.js";

export interface PartitionLagRow extends PartitionLag {
  node: string;
  /** backlog + pending: what this partition still has to make durable. */
  lag: number;
}

export const isStalled = (p: Pick<PartitionLag, "stalledForMs">): boolean => (p.stalledForMs ?? 0) > 0;

/** Every node's partition consumers: stalled ones first (longest first), then most lagging (ties by region, then partition). */
export function partitionLagRows(nodes: readonly { nodeId: string; partitionLag: readonly PartitionLag[] }[]): PartitionLagRow[] {
  return nodes
    .flatMap((n) => n.partitionLag.map((p) => ({ ...p, node: n.nodeId, lag: p.backlog + p.pending })))
    .sort((a, b) => (b.stalledForMs ?? 0) - (a.stalledForMs ?? 0) || b.lag - a.lag || a.region.localeCompare(b.region) || a.partition - b.partition);
}

/** Totals for the KPI: the sum over partitions, the worst one, and how many are stalled. */
export function partitionLagTotals(rows: readonly PartitionLagRow[]): { total: number; worst: PartitionLagRow | undefined; partitions: number; stalled: number } {
  return { total: rows.reduce((n, r) => n + r.lag, 0), worst: rows[0], partitions: rows.length, stalled: rows.filter(isStalled).length };
}
