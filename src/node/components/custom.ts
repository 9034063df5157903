/**
 * The `ingest` role's custom-data part: on the ONE node holding the `custom-router` singleton
 * lease (every other ingest node waits on standby and takes over within the lease TTL), a
 * CustomRouter on CUSTOM with its own TradeLogPublisher (spool DATA_DIR/spool-custom) and the
 * node's lake. One router only: it owns its durable consumer and acknowledges with ack-all.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import type { Config } from "../../config/index.js";
import { Lake } from "../../lake/index.js";
import { TradeLogPublisher, type IngestLogger } from "../../ingest/index.js";
import type { NodeComponent, NodeContext } from "../component.js";
import type { Logger } from "../../runtime/log.js";
import { CustomRouter } from "../../custom/router.js";
import { SingletonLease } from "../../custom/singleton.js";
import { ensureCustomStreams } from "../../custom/streams.js";
import { idleMarksOf } from "../idle-marks.js";

export function customDataComponent(config: Config): NodeComponent {
  let router: CustomRouter | undefined;
  let lease: SingletonLease | undefined;
  return {
    name: "custom-data",
    async start(ctx: NodeContext) {
      const log = ctx.log.child("custom-data");
      await ensureCustomStreams(ctx.nc, config.customStream);
      const s3 = config.s3;
      const lake = Lake.open(config.lakeUri, {
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        ...(s3.accessKeyId ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
      });
      lease = await SingletonLease.open(ctx.nc, {
        key: "custom-router",
        owner: config.nodeId || `${hostname()}-${process.pid}`,
        ttlMs: config.leaseTtlMs,
        async start() {
          const publisher = await TradeLogPublisher.start(ctx.nc, { partitions: config.partitions, spoolDir: join(config.dataDir, "spool-custom"), log: customTradeLogger(log), idleMarks: idleMarksOf(config) });
          const r = await CustomRouter.start(ctx.nc, {
            lake,
            publisher,
            timeBounds: config.customTimeBounds,
            quotas: { maxDataTypes: config.customQuotas.maxDataTypes, maxInstruments: config.customQuotas.maxInstruments, recordsPerSecond: config.customQuotas.logRecordsPerSecond },
            onError: (err) => log.warn("custom router error (retrying)", { error: String(err) }),
            onMigrate: (m) => log.info("custom table renamed (one table per source and data type)", { from: m.from, to: m.to.map((t) => `${t.table} (${t.files} files)`).join(", ") }),
          });
          router = r;
          return async () => {
            await r.close();
            await publisher.close();
          };
        },
        onChange: (held) => log.info(held ? "custom router started here (singleton lease held)" : "custom router stopped (lease released or lost)"),
        onError: (where, err) => log.warn(`custom router lease: ${where}`, { error: String(err) }),
      });
      // Stopping intake: the router commits what it routed, then the lease is released for a standby.
      ctx.shutdown.add("stop-intake", "custom-router", () => lease?.close());
    },
    status: () => ({ lease: lease?.held ? "held" : "standby", router: router?.status() ?? null }),
  };
}

/**
 * Custom trade ids are CUSTOM stream sequences, so per-symbol ids have gaps by design: the
 * publisher's "trade id gap" warning says nothing for them and is logged at debug level.
 */
export function customTradeLogger(log: Logger): IngestLogger {
  return {
    info: (m, f) => log.info(m, f),
    warn: (m, f) => (m === "trade id gap" ? log.debug(m, f) : log.warn(m, f)),
    error: (m, f) => log.error(m, f),
  };
}
