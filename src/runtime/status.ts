import type { MemberInfo } from "./cluster/types.js";

/**
 * One partition consumer's lag on this node: `backlog` still in the stream for it (as of its last
 * delivery), `pending` delivered and not yet durable, `unhandled` of those still in mailboxes.
 */
export interface PartitionLag {
  region: string;
  partition: number;
  backlog: number;
  pending: number;
  unhandled: number;
  /** How long the stall watchdog has found it stalled (input waiting, no progress); 0 or absent when it moves. */
  stalledForMs?: number;
}

/** What `admin status` returns per node (plain JSON). */
export interface NodeStatus {
  nodeId: string;
  host: string;
  pid: number;
  roles: string[];
  state: string;
  uptimeMs: number;
  actors: {
    count: number;
    restarts: number;
    mailboxDepthTotal: number;
    /** The deepest mailboxes, deepest first. */
    deepest: { path: string; depth: number }[];
  };
  cluster: {
    partitionCount: number;
    members: MemberInfo[];
    /** owner per partition as this node sees it (null: none). */
    owners: (string | null)[];
    owned: number[];
  };
  /** The partition consumers running here, by region and partition. */
  partitionLag: PartitionLag[];
  /** Per-component figures (ingest gaps, lake writer lag, ...), keyed by component. */
  components: Record<string, unknown>;
}
