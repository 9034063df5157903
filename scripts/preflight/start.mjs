#!/usr/bin/env node
// `npm start` and `npm run demo`: node scripts/preflight/start.mjs <entry.ts> [args...]
// Installs the dependencies when node_modules is missing or stale, builds the dashboard when it is
// out of date, installs nats-server (as root with apt) when the node would have to start one and
// there is none, then runs the TypeScript entry in this same process under tsx. npm runs this file
// with plain node because tsx lives in node_modules, which may not exist yet. The entry runs
// in-process (not as a child), so a SIGTERM that npm passes on reaches the node's own handler.
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureDependencies } from "./install.mjs";
import { ensureWebBuild } from "../ensure-web-build.mjs";
import { planStartNats } from "./plan.mjs";
import { probeStartNats } from "./probe.mjs";
import { aptInstall } from "./services.mjs";

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
const natsStep = planStartNats(await probeStartNats(process.env, args));
if (natsStep) {
  try {
    aptInstall([natsStep.package], (line) => say(`nats-server: not found and nothing answers on 127.0.0.1:4222; ${line}`));
  } catch (err) {
    say(err.message);
    process.exit(1);
  }
}

await import("tsx");
// The entry reads its flags from process.argv.slice(2), as when started as `tsx <entry> args`.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
