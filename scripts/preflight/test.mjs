#!/usr/bin/env node
// `npm test [-- <path substrings>]`: install the dependencies when needed, typecheck, make sure of
// the layer rules (.dependency-cruiser.cjs), nats-server, PostgreSQL and chromium (plan.mjs decides, services.mjs does), then run the suite
// (scripts/run-tests.mjs) with the environment that points the tests at them. What CI needs is
// here too: .ci/run only calls `npm test`, so CI and a new user take the same path.
import { spawn, spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { constants } from "node:os";
import { ensureDependencies } from "./install.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const say = (line) => console.error(`preflight: ${line}`);
const filters = process.argv.slice(2);

try {
  ensureDependencies(root, say);
} catch (err) {
  say(err.message);
  process.exit(1);
}

say("typechecking (tsc --noEmit) ...");
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

say("checking the layer order and import cycles (depcruise src, rules in .dependency-cruiser.cjs) ...");
const layers = spawnSync(process.execPath, [join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs"), "--config", join(root, ".dependency-cruiser.cjs"), "src"], { cwd: root, stdio: "inherit" });
if (layers.status !== 0) process.exit(layers.status ?? 1);

// Imported only now: these may load the project's dependencies (pg), installed above.
const { probe } = await import("./probe.mjs");
const { prepareServices, PreflightStop } = await import("./services.mjs");

let services;
try {
  services = await prepareServices(await probe(), say);
} catch (err) {
  say(err instanceof PreflightStop ? err.message : `failed: ${err.stack ?? err}`);
  process.exit(1);
}

const child = spawn(process.execPath, [join(root, "scripts/run-tests.mjs"), ...filters], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, ...services.env },
});
// Ctrl-C reaches the whole process group; a `kill` of this process alone must reach the tests too.
// Either way this process stays until the tests have exited, to remove the private PostgreSQL.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) => child.once("exit", (status, signal) => resolve(status ?? 128 + (constants.signals[signal] ?? 0))));
await services.release();
process.exit(code);

