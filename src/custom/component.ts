/**
 * The `ingest` role's custom-data part: a CustomRouter on CUSTOM with its own TradeLogPublisher
 * (spool under DATA_DIR/spool-custom) and the node's lake. Run it on ONE node per cluster: the
 * router recreates its durable consumer on start, so two routers would take turns stealing it.
 */
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { Lake } from "../lake/index.js";
import { TradeLogPublisher, type IngestLogger } from "../market/ingest/index.js";
import type { NodeComponent, NodeContext } from "../node/component.js";
import type { Logger } from "../node/log.js";
import { ensureCustomStreams } from "./streams.js";
import { CustomRouter } from "./router.js";

export function customDataComponent(config: Config): NodeComponent {
  let router: CustomRouter | undefined;
  return {
    name: "custom-data",
    async start(ctx: NodeContext) {
      const log = ctx.log.child("custom-data");
      await ensureCustomStreams(ctx.nc);
      const s3 = config.s3;
      const lake = Lake.open(config.lakeUri, {
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        ...(s3.accessKeyId ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
      });
      const publisher = await TradeLogPublisher.start(ctx.nc, { partitions: config.partitions, spoolDir: join(config.dataDir, "spool-custom"), log: customTradeLogger(log) });
      router = await CustomRouter.start(ctx.nc, {
        lake,
        publisher,
        onError: (err) => log.warn("custom router error (retrying)", { error: String(err) }),
      });
      ctx.shutdown.add("stop-intake", "custom-router", () => router?.close());
      ctx.shutdown.add("flush", "custom-trade-publisher", () => publisher.close());
      log.info("custom data router started", { stream: "CUSTOM", lake: config.lakeUri });
    },
    status: () => router?.status() ?? { state: "not started" },
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
