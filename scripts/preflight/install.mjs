// Step one of `npm start`, `npm run demo` and `npm test`: node_modules must match
// package-lock.json, else `npm ci`. Plain Node: nothing from node_modules can be imported yet.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { installReason } from "./plan.mjs";

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
}

/** The npm that runs this script (npm sets npm_execpath), else the one on PATH. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith(".js") ? [process.execPath, [cli]] : ["npm", []];
}

/** Runs `npm ci` in `root` when node_modules is missing or stale; says so in one line. Throws when it fails. */
export function ensureDependencies(root, say) {
  const lockPath = join(root, "package-lock.json");
  if (!existsSync(lockPath)) throw new Error(`no package-lock.json in ${root}`);
  const reason = installReason({ lock: readJson(lockPath), installed: readJson(join(root, "node_modules/.package-lock.json")) });
  if (!reason) return false;
  say(`installing dependencies with npm ci (${reason}) ...`);
  const [command, prefix] = npmCommand();
  // --prefer-offline: a machine that installed once installs again from its cache.
  const r = spawnSync(command, [...prefix, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`npm ci failed (${r.error?.message ?? `exit ${r.status}`}); see its output above`);
  return true;
}
