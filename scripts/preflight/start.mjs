#!/usr/bin/env node
// `npm start` and `npm run demo`: node scripts/preflight/start.mjs <entry.ts> [args...]
// Installs the dependencies when node_modules is missing or stale, builds the dashboard when it is
// out of date, then runs the TypeScript entry in this same process under tsx. npm runs this file
// with plain node because tsx lives in node_modules, which may not exist yet. Running the entry
// in-process (not as a child) keeps one process to signal: SIGINT/SIGTERM reach the node's own
// handlers exactly once, as they did under `tsx <entry>`.
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureDependencies } from "./install.mjs";
import { ensureWebBuild } from "../ensure-web-build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const say = (line) => console.error(`preflight: ${line}`);

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error("usage: node scripts/preflight/start.mjs <entry.ts> [args...]");
  process.exit(2);
}
const entry = resolve(root, entryArg);

try {
  ensureDependencies(root, say);
} catch (err) {
  say(err.message);
  process.exit(1);
}
if (ensureWebBuild() === false) process.exit(1);

await import("tsx");
// The entry reads its flags from process.argv.slice(2), as when started as `tsx <entry> args`.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
