import type { Config } from "../config/index.js";
import type { NodeComponent } from "./component.js";

/** The components a node runs for its configured roles. */
export function componentsFor(config: Config): NodeComponent[] {
  const components: NodeComponent[] = [];
  void config;
  return components;
}
