import type { MemberInfo } from "../runtime/cluster/types.js";

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
  /** Per-component figures (ingest gaps, lake writer lag, ...), keyed by component. */
  components: Record<string, unknown>;
}
