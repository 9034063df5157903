#!/usr/bin/env node
// Builds the dashboard (dist/web) when it is missing or older than its sources. Runs in
// `npm start` and `npm run demo` (scripts/preflight/start.mjs); the browser tests call it too.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

export function ensureWebBuild() {
  const index = join(root, "dist/web/index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(root, "src/web/app"))) return true;
  if (!existsSync(join(root, "node_modules/vite"))) {
    console.error("dashboard not built and vite is not installed (npm ci installs it); the API still runs");
    return null;
  }
  console.error("building the dashboard (dist/web) ...");
  const r = spawnSync(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build", "--config", "src/web/vite.config.ts", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });
  return r.status === 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(ensureWebBuild() === false ? 1 : 0);
}
