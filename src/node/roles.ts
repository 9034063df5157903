import type { Config } from "../config/index.js";
import { Lake, lakeConfigFromConfig } from "../lake/index.js";
import { mlopsComponent, openChampionCache } from "./components/mlops.js";
import { LakeSilverSource } from "../mlops/index.js";
import { excludingQuarantined } from "../quality/index.js";
import { qualityComponent } from "./components/quality.js";
import type { LogForwarder } from "../control/index.js";
import { controlComponent } from "./components/control.js";
import { customDataComponent } from "./components/custom.js";
import type { NodeComponent } from "./component.js";
import { NodeDatabase } from "./components/database.js";
import { ingestComponent } from "./components/ingest.js";
import { lakeComponent } from "./components/lake.js";
import { marketComponent } from "./components/market.js";
import { servingComponent } from "./components/serving.js";
import { webComponent } from "./components/web.js";
import { NodeMetrics } from "./metrics.js";

export interface RoleServices {
  metrics?: NodeMetrics;
  /** Forwards this node's log lines to `events.log.<node>` for the control plane's live tail. */
  forwarder?: LogForwarder;
}

/** The components a node runs for its configured roles, sharing one database, lake and metrics registry. */
export function componentsFor(config: Config, services: RoleServices = {}): NodeComponent[] {
  const metrics = services.metrics ?? new NodeMetrics({ topSymbols: config.metricsTopSymbols });
  const has = (role: Config["roles"][number]) => config.roles.includes(role);
  // PGlite admits one opener per directory, so every role of a node shares this handle.
  const database = new NodeDatabase(config);
  const db = () => database.get();
  const lakeConfig = lakeConfigFromConfig(config);
  const lake = Lake.open(lakeConfig.uri, lakeConfig.s3);

  // Only nodes whose roles keep tables open the database; a market-only node stays off it.
  const usesDb = has("serving") || has("web") || has("ml") || has("quality") || config.databaseUrl !== "";

  const components: NodeComponent[] = [
    { name: "database", start: async (ctx) => void ctx.shutdown.add("close", "database", () => database.close()) },
    controlComponent(config, { ...(services.forwarder ? { forwarder: services.forwarder } : {}), ...(usesDb ? { db } : {}) }),
  ];
  if (has("market")) components.push(marketComponent({ metrics, openChampions: (ctx) => openChampionCache(ctx.nc, config, { lake }) }));
  if (has("lake")) components.push(lakeComponent({ metrics }));
  if (has("serving")) components.push(servingComponent(database, { metrics }));
  // A league is one pool task per algorithm: let every subscribed symbol queue a round at once.
  if (has("ml")) components.push(mlopsComponent(config, { metrics, db, lake, source: excludingQuarantined(new LakeSilverSource(lake), lake), maxQueue: Math.max(64, config.symbols.length * 8) }));
  if (has("quality")) components.push(qualityComponent(config, { db, lake, metrics }));
  if (has("web")) components.push(webComponent(database, metrics, lake));
  // The market feed registers last so it stops first: an exchange stream is not replayed, so what
  // it holds in memory must reach the log or the spool before anything else takes the time.
  if (has("ingest")) components.push(customDataComponent(config), ingestComponent({ metrics }));
  return components;
}
