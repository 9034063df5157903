import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The shared, read-only test data lives beside the project checkout (`../shared/data`), wherever
 * the checkout is (CI clones elsewhere). SHARED_DATA overrides it.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DATA = process.env.SHARED_DATA ?? resolve(repoRoot, "../shared/data");

export function sharedData(...parts: string[]): string {
  return resolve(SHARED_DATA, ...parts);
}
