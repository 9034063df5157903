import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { NODE_V8_FLAGS } from "../../src/node/v8-flags.js";

const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;

test("v8 flags: npm start, npm run demo, the image and the benches' nodes start with every flag of NODE_V8_FLAGS", () => {
  assert.ok(NODE_V8_FLAGS.length > 0);
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync("Dockerfile", "utf8"));
  assert.ok(cmd, "the Dockerfile has an exec-form CMD");
  const image = JSON.parse(cmd[1]!) as string[];
  const nodeProcess = readFileSync("bench/node-process.ts", "utf8");
  for (const flag of NODE_V8_FLAGS) {
    for (const name of ["start", "demo"]) assert.match(scripts[name]!, new RegExp(`^exec node ${flag} `), `npm run ${name} passes ${flag} to node`);
    assert.deepEqual(image.slice(0, 2), ["node", flag], `the image's CMD passes ${flag}`);
  }
  assert.match(nodeProcess, /const argv = \[\.\.\.NODE_V8_FLAGS,/, "bench node processes get NODE_V8_FLAGS");
});

test("v8 flags: this Node takes them at launch (a flag V8 ignored would leave the heap's limit as it was)", () => {
  const probe = 'console.log(require("v8").getHeapStatistics().heap_size_limit)';
  const limit = (args: readonly string[]) => Number(spawnSync(process.execPath, [...args, "-e", probe], { encoding: "utf8" }).stdout.trim());
  const plain = limit([]);
  assert.ok(plain > 0);
  assert.ok(limit(NODE_V8_FLAGS) > plain, "a bigger young generation raises the heap's limit");
});
