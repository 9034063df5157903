import type { Config } from "../config/index.js";
import type { NodeComponent } from "./component.js";
import { NodeDatabase } from "./components/database.js";
import { ingestComponent } from "./components/ingest.js";
import { lakeComponent } from "./components/lake.js";
import { marketComponent } from "./components/market.js";
import { servingComponent } from "./components/serving.js";
import { webComponent } from "./components/web.js";
import { NodeMetrics } from "./metrics.js";

/** The components a node runs for its configured roles, sharing one metrics registry (served by `web`). */
export function componentsFor(config: Config, metrics = new NodeMetrics()): NodeComponent[] {
  const has = (role: Config["roles"][number]) => config.roles.includes(role);
  const database = has("serving") || has("web") ? new NodeDatabase(config) : undefined;
  const components: NodeComponent[] = [];
  if (has("market")) components.push(marketComponent({ metrics }));
  if (has("lake")) components.push(lakeComponent({ metrics }));
  if (has("serving") && database) components.push(servingComponent(database, { metrics }));
  if (has("web")) components.push(webComponent(database, metrics));
  if (has("ingest")) components.push(ingestComponent());
  return components;
}
