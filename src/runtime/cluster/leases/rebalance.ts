import type { Placement } from "./placement.js";
import type { NodeId } from "../types.js";

/** What this node is doing with a partition, as far as the planner cares. */
export type LocalPhase = "idle" | "busy" | "running";

export interface PartitionFacts {
  partition: number;
  self: NodeId;
  /** Live nodes that may own partitions (self included when eligible), any order. */
  eligible: readonly NodeId[];
  phase: LocalPhase;
  /** The lease holder in the view; undefined when free. */
  holder: NodeId | undefined;
  /** How long the lease has been free in the view (ms); 0 when held. */
  freeForMs: number;
  /** How long we have held it (ms) when running. */
  heldForMs: number;
  /** True when we took it over although another node was the desired owner. */
  tookOver: boolean;
}

export interface PlannerSettings {
  /** A free partition's k-th ranked node waits k × this before taking it (0 for the desired owner). */
  takeoverGraceMs: number;
  /** A partition taken over is kept at least this long before being handed to its desired owner. */
  takeoverHoldMs: number;
}

export type PlanAction = "none" | "acquire" | "handoff";

/**
 * One partition's next step. Safety never depends on this function (the lease CAS does that);
 * it only decides who should try, so nodes agree without talking:
 * - free and we rank k-th by rendezvous among eligible nodes → acquire once free for k × grace;
 *   the desired owner (k = 0) goes at once, the others cover for a desired owner that is slow or gone;
 * - we run it but another eligible node is desired → hand it over (after the hold, if we only
 *   took it over, so an unresponsive desired owner does not cause constant churn);
 * - otherwise nothing.
 */
export function planPartition(f: PartitionFacts, s: PlannerSettings, placement: Placement): PlanAction {
  const selfEligible = f.eligible.includes(f.self);
  switch (f.phase) {
    case "busy":
      return "none";
    case "idle": {
      if (f.holder !== undefined || !selfEligible) return "none";
      const rank = rankBy(placement, f.partition, f.eligible).indexOf(f.self);
      return f.freeForMs >= rank * s.takeoverGraceMs ? "acquire" : "none";
    }
    case "running": {
      const desired = placement.ownerFor(f.partition, f.eligible);
      if (desired === undefined || desired === f.self) return "none";
      if (f.tookOver && f.heldForMs < s.takeoverHoldMs) return "none";
      return "handoff";
    }
  }
}

/** Fallback order from any Placement: the owner, then the owner once that one is gone, and so on. */
export function rankBy(placement: Placement, partition: number, nodes: readonly NodeId[]): NodeId[] {
  const rest = [...nodes];
  const out: NodeId[] = [];
  while (rest.length > 0) {
    const next = placement.ownerFor(partition, rest);
    if (next === undefined) break;
    out.push(next);
    rest.splice(rest.indexOf(next), 1);
  }
  return out;
}
