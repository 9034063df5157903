import type { Config } from "../config/index.js";
import type { NodeComponent } from "./component.js";
import { ingestComponent } from "./components/ingest.js";
import { marketComponent } from "./components/market.js";

/** The components a node runs for its configured roles. */
export function componentsFor(config: Config): NodeComponent[] {
  const components: NodeComponent[] = [];
  if (config.roles.includes("market")) components.push(marketComponent());
  if (config.roles.includes("ingest")) components.push(ingestComponent());
  return components;
}
