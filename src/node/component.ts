import type { NatsConnection } from "@nats-io/transport-node";
import type { Config } from "../config/index.js";
import type { ActorSystem } from "../runtime/actor/index.js";
import type { OwnershipView, PartitionHost } from "../runtime/cluster/types.js";
import type { AdminService } from "../admin/service.js";
import type { Logger } from "../runtime/log.js";
import type { ShutdownSequence } from "./shutdown.js";
import type { ShutdownLedger } from "./shutdown-ledger.js";
import type { PartitionLag } from "../runtime/status.js";

/** What a role's component gets from the node it runs in. */
export interface NodeContext {
  config: Config;
  nc: NatsConnection;
  system: ActorSystem;
  ownership: OwnershipView;
  admin: AdminService;
  shutdown: ShutdownSequence;
  /** Where the component reports what shutdown flushed, spooled and left in the log (absent in some component tests). */
  ledger?: ShutdownLedger;
  log: Logger;
}

/**
 * One role's work on a node (ingestion, symbol actors, lake writers, ...). `partitionHost` is
 * created before the cluster starts (the cluster calls it as leases come and go); `start` runs
 * once the cluster node is up and registers its own shutdown steps.
 */
export interface NodeComponent {
  readonly name: string;
  partitionHost?(ctx: Omit<NodeContext, "admin" | "shutdown" | "ledger">): PartitionHost | Promise<PartitionHost>;
  start?(ctx: NodeContext): Promise<void>;
  /** Plain JSON for `admin status`. */
  status?(): unknown;
  /** Lag of the partition consumers this component runs here (the System page's partition lag). */
  partitionLag?(): PartitionLag[];
}
