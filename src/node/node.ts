import { hostname } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Config } from "../config/index.js";
import { ActorSystem } from "../runtime/actor/index.js";
import { ClusterNode } from "../runtime/cluster/index.js";
import { CompositePartitionHost } from "../runtime/cluster/region-composite.js";
import type { PartitionHost } from "../runtime/cluster/types.js";
import { bootstrap, platformLogSpec } from "../runtime/nats/index.js";
import { AdminAuth } from "../admin/auth.js";
import { AdminService } from "../admin/service.js";
import type { NodeComponent, NodeContext } from "./component.js";
import type { Logger } from "./log.js";
import { ShutdownSequence, type ShutdownReport } from "./shutdown.js";
import type { NodeStatus } from "./status.js";

/**
 * One platform node: an actor system, its membership in the cluster, the admin endpoint and the
 * components of its roles. Every node runs this same program.
 */
export class PlatformNode {
  readonly shutdown = new ShutdownSequence();
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
    const results = await bootstrap(nc, platformLogSpec({ memberTtlMs: config.memberTtlMs, leaseTtlMs: config.leaseTtlMs }));
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
    const cluster = new ClusterNode({
      nc,
      nodeId: config.nodeId,
      roles: config.roles,
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

    const admin = new AdminService(nc, config.nodeId, AdminAuth.fromConfig(config.adminTokens, config.dataDir), (record) =>
      log.info(`admin ${record.command} ${record.result}`, { caller: record.caller, args: record.args }),
    );
    const node = new PlatformNode(config, nc, system, cluster, admin, components);
    admin.register("status", () => node.status());

    // The fixed order. Components register their own steps when they start; within a phase the
    // latest registered runs first, so these node steps, registered before any component's, run
    // last in their phase. Leaving the cluster stops each partition first — its consumer stops
    // fetching, entity mailboxes drain, final snapshots are stored — then deletes its lease.
    node.shutdown
      .add("drain", "partitions (drain entity mailboxes, snapshot, then release leases)", () => cluster.leave())
      .add("close", "nats", () => nc.drain())
      .add("close", "admin endpoint", () => admin[Symbol.asyncDispose]())
      .add("close", "actor system", () => system.shutdown({ drain: true, timeoutMs: 30_000 }));
    await cluster.start();
    admin.start();
    const ctx: NodeContext = { config, nc, system, ownership: cluster, admin, shutdown: node.shutdown, log };
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
      components: Object.fromEntries(this.components.filter((c) => c.status).map((c) => [c.name, c.status!()])),
    };
  }

  stop(): Promise<ShutdownReport> {
    return this.shutdown.run();
  }
}
