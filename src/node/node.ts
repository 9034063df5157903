import { hostname } from "node:os";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Config } from "../config/index.js";
import { ActorSystem } from "../runtime/actor/index.js";
import { ClusterNode } from "../runtime/cluster/index.js";
import { CompositePartitionHost } from "../runtime/cluster/region/composite.js";
import type { PartitionHost } from "../runtime/cluster/types.js";
import { bootstrap, defaultLogConfig, platformLogSpec } from "../runtime/nats/index.js";
import { AdminAuth } from "../admin/auth.js";
import { AuditPublisher } from "../admin/audit-publish.js";
import { AdminService } from "../admin/service.js";
import type { NodeComponent, NodeContext } from "./component.js";
import type { Logger } from "../runtime/log.js";
import { ShutdownSequence, type ShutdownReport, type StepResult } from "./shutdown.js";
import { ShutdownLedger, type ShutdownFigures } from "./shutdown-ledger.js";
import { StoppableClock } from "./stoppable-clock.js";
import { closeNats } from "./close-nats.js";
import type { NodeStatus } from "../runtime/status.js";

/** Roles whose components host partitions (see NodeComponent.partitionHost). */
const PARTITION_ROLES = ["market", "lake"] as const;

/**
 * One platform node: an actor system, its membership in the cluster, the admin endpoint and the
 * components of its roles. Every node runs this same program.
 */
export class PlatformNode {
  readonly shutdown = new ShutdownSequence();
  readonly ledger = new ShutdownLedger();
  readonly #startedAt = Date.now();

  private constructor(
    readonly config: Config,
    readonly nc: NatsConnection,
    readonly system: ActorSystem,
    readonly cluster: ClusterNode,
    readonly admin: AdminService,
    readonly components: NodeComponent[],
  ) {}

  static async start(options: { config: Config; nc: NatsConnection; log: Logger; components?: NodeComponent[] }): Promise<PlatformNode> {
    const { config, nc, log } = options;
    const components = options.components ?? [];
    const results = await bootstrap(nc, platformLogSpec({ memberTtlMs: config.memberTtlMs, leaseTtlMs: config.leaseTtlMs, custom: { ...defaultLogConfig.custom, ...config.customStream } }));
    for (const r of results) if (r.action !== "unchanged") log.info(`log ${r.kind} ${r.name} ${r.action}`, { replicas: r.replicas });

    const system = new ActorSystem({ name: config.nodeId });
    system.events.on((event) => {
      if (event.type === "actor-failed" || event.type === "restart-budget-exhausted") log.warn(`actor event ${event.type}`, { ...event });
    });
    // Components need the ownership view to build their hosts, and the cluster needs the host: the
    // cluster gets a forwarder, completed before cluster.start() can call it.
    let composite: CompositePartitionHost | undefined;
    const hosts: PartitionHost = {
      startPartition: (p) => composite!.startPartition(p),
      stopPartition: (p, reason) => composite!.stopPartition(p, reason),
    };
    // Every cluster timer (lease renewals, watches, ticks) ends with this clock at shutdown, even
    // when a stalled partition kept the graceful leave from finishing.
    const clusterClock = new StoppableClock();
    const cluster = new ClusterNode({
      nc,
      clock: clusterClock,
      nodeId: config.nodeId,
      roles: config.roles,
      // Partitions go only to nodes that run something for them (symbol actors, lake writers): an
      // ingest- or web-only node owning one would hold its symbols' bars back for good.
      placementRole: PARTITION_ROLES,
      host: hosts,
      partitionCount: config.partitions,
      heartbeatMs: config.heartbeatMs,
      memberTtlMs: config.memberTtlMs,
      leaseTtlMs: config.leaseTtlMs,
      onEvent: (event) => log.debug(`cluster ${event.type}`, { ...event }),
    });
    const partitionHosts: PartitionHost[] = [];
    for (const c of components) if (c.partitionHost) partitionHosts.push(await c.partitionHost({ config, nc, system, ownership: cluster, log: log.child(c.name) }));
    composite = new CompositePartitionHost(partitionHosts);

    const admin = new AdminService(
      nc,
      config.nodeId,
      AdminAuth.fromConfig(config.adminTokens, config.dataDir, config.adminMaxSkewMs),
      // Who, for whom, with which key and arguments: this machine's output only (the forwarded log is readable by viewers, the audit trail is admin only).
      (record) => log.info(`admin ${record.command} ${record.result}`, { localOnly: { caller: record.caller, onBehalfOf: record.onBehalfOf, keyId: record.keyId, args: record.args } }),
      Date.now,
      new AuditPublisher(nc, { log: log.child("audit") }),
    );
    const node = new PlatformNode(config, nc, system, cluster, admin, components);
    admin.register("status", () => node.status());

    // The fixed order. Components register their own steps when they start; within a phase the
    // latest registered runs first, so these node steps, registered before any component's, run
    // last in their phase. Leaving the cluster stops each partition first — its consumer stops
    // fetching, entity mailboxes drain, final snapshots are stored — then deletes its lease.
    // A step that overruns its budget is abandoned; the ones after it still run, and closing NATS
    // (drain, or close when it is unreachable) ends whatever an abandoned step left waiting on it.
    node.shutdown
      .add("drain", "partitions (drain entity mailboxes, snapshot, then release leases)", () => cluster.leave())
      .add("release", "count what is left in the log", async (d) => {
        // A few requests answer in milliseconds when the server is there; an unreachable one makes the
        // counts unknown (not the step abandoned) after at most 2 s.
        const withinMs = Math.max(50, Math.min(2000, d.timeoutMs - Math.min(500, d.timeoutMs / 4)));
        await node.ledger.countLog(await jetstreamManager(nc, { checkAPI: false, timeout: withinMs }), withinMs);
      })
      .add("close", "nats", (d) => closeNats(nc, d))
      .add("close", "admin endpoint", () => admin[Symbol.asyncDispose]())
      .add("close", "cluster timers (lease renewals, watches)", () => clusterClock.stop())
      .add("close", "actor system", (d) => system.shutdown({ drain: true, timeoutMs: Math.max(1, d.timeoutMs - 100) }));
    await cluster.start();
    admin.start();
    const ctx: NodeContext = { config, nc, system, ownership: cluster, admin, shutdown: node.shutdown, ledger: node.ledger, log };
    for (const c of components) await c.start?.({ ...ctx, log: log.child(c.name) });

    return node;
  }

  status(): NodeStatus {
    const stats = this.system.stats();
    const cluster = this.cluster.status();
    return {
      nodeId: this.config.nodeId,
      host: hostname(),
      pid: process.pid,
      roles: this.config.roles,
      state: cluster.state,
      uptimeMs: Date.now() - this.#startedAt,
      actors: {
        count: stats.length,
        restarts: stats.reduce((n, s) => n + s.restarts, 0),
        mailboxDepthTotal: stats.reduce((n, s) => n + s.mailboxDepth, 0),
        deepest: [...stats].sort((a, b) => b.mailboxDepth - a.mailboxDepth).slice(0, 5).map((s) => ({ path: s.path, depth: s.mailboxDepth })),
      },
      cluster: {
        partitionCount: this.config.partitions,
        members: this.cluster.members(),
        owners: cluster.partitions.map((p) => p.owner),
        owned: cluster.owned,
      },
      partitionLag: this.components.flatMap((c) => c.partitionLag?.() ?? []),
      components: Object.fromEntries(this.components.filter((c) => c.status).map((c) => [c.name, c.status!()])),
    };
  }

  /**
   * Runs the shutdown within the node's bound (SHUTDOWN_TIMEOUT); `onStep` hears each step as it
   * ends. Returns the report and what the components flushed, spooled and left in the log.
   */
  async stop(onStep?: (step: StepResult) => void): Promise<ShutdownReport & { figures: ShutdownFigures }> {
    this.ledger.begin();
    const report = await this.shutdown.run({ totalMs: this.config.shutdownTimeoutMs, ...(onStep ? { onStep } : {}) });
    return { ...report, figures: this.ledger.figures() };
  }
}
