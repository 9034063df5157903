import type { NodeId } from "../types.js";

/** Decides which live node should own a partition. Pure: same inputs, same answer, on every node. */
export interface Placement {
  ownerFor(partition: number, liveNodeIds: readonly NodeId[]): NodeId | undefined;
}

/** 32-bit FNV-1a over a string, then a murmur3 finaliser so near-identical keys spread well. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Rendezvous weight of a node for a partition. */
export function rendezvousWeight(nodeId: NodeId, partition: number): number {
  return hash32(`${nodeId}\u0000${partition}`);
}

/**
 * Highest-random-weight (rendezvous) hashing: the node with the highest hash(node, partition).
 * When a node leaves, only its partitions move; when one joins, it takes only partitions whose
 * top weight it now holds (about 1/N of them). Ties (vanishingly rare) go to the smaller id, so
 * every node agrees.
 */
export function ownerFor(partition: number, liveNodeIds: readonly NodeId[]): NodeId | undefined {
  let best: NodeId | undefined;
  let bestWeight = -1;
  for (const node of liveNodeIds) {
    const w = rendezvousWeight(node, partition);
    if (w > bestWeight || (w === bestWeight && best !== undefined && node < best)) {
      best = node;
      bestWeight = w;
    }
  }
  return best;
}

/** Nodes ranked for a partition, best first: the fallback order when the top choice is away. */
export function rankFor(partition: number, liveNodeIds: readonly NodeId[]): NodeId[] {
  return [...liveNodeIds].sort((a, b) => rendezvousWeight(b, partition) - rendezvousWeight(a, partition) || (a < b ? -1 : a > b ? 1 : 0));
}

export const rendezvousPlacement: Placement = { ownerFor };

/** The whole table: partition → desired owner. */
export function placementTable(placement: Placement, partitionCount: number, liveNodeIds: readonly NodeId[]): (NodeId | undefined)[] {
  return Array.from({ length: partitionCount }, (_, p) => placement.ownerFor(p, liveNodeIds));
}
