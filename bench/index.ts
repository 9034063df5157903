/**
 * `npm run bench [-- <name> ...]`: runs the benchmarks (or the named ones, diagnostics included)
 * one after another and prints measured figures. Speed targets live here, never in tests.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
/** What a plain `npm run bench` runs; other files are diagnostics or helpers, run by name. */
const ORDER = ["runtime-local", "runtime-cluster", "market", "ingest", "pipeline", "lake", "db", "ml", "mlops", "quality", "web", "gateway"];
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "index.ts")
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const names = wanted.length === 0 ? ORDER.filter((n) => available.includes(n)) : wanted.filter((n) => available.includes(n));
if (names.length === 0) {
  console.error(`no benchmark named ${wanted.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
for (const name of names) {
  console.log(`\n=== bench/${name} ===`);
  const started = performance.now();
  const mod = (await import(join(here, `${name}.ts`))) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") {
    console.log(`(bench/${name}.ts exports no run())`);
    continue;
  }
  await mod.run();
  console.log(`(bench/${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
