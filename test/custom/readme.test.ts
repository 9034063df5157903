import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensureCustomStreams } from "../../src/custom/index.js";
import { startNatsServer } from "../helpers/nats-server.js";

const README = new URL("../../src/custom/README.md", import.meta.url);
const ROOT = new URL("../../", import.meta.url).pathname;

test("the README's TypeScript publish snippet stores a record in CUSTOM", async () => {
  const text = readFileSync(README, "utf8");
  const section = text.slice(text.indexOf("## Publish on NATS"));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(snippet, "README has a ts block under 'Publish on NATS'");
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await ensureCustomStreams(nc);
  // The snippet is plain JS-compatible TypeScript (no annotations): run it as an ES module from the repo root.
  const code = snippet.replace("nats://127.0.0.1:4222", nats.url);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let s = "";
    child.stdout.on("data", (d: Buffer) => (s += d.toString()));
    child.once("exit", (c) => (c === 0 ? resolve(s) : reject(new Error(`snippet exited ${c}`))));
  });
  assert.match(out, /stored in CUSTOM as #1/);
  const m = await (await jetstreamManager(nc)).streams.getMessage("CUSTOM", { seq: 1 });
  assert.equal(m!.subject, "ingest.my_plant.iot");
  assert.equal((JSON.parse(new TextDecoder().decode(m!.data)) as { sensor_id: string }).sensor_id, "press-001");
  await nc.close();
});
