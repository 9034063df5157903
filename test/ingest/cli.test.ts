import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { RECORDING, startStack } from "./support.js";

const run = promisify(execFile);

async function cli(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], { timeout: 120_000 });
  return stdout;
}

test("npm run replay: the recording into the log, then nothing the second time; npm run import: a CSV with de-dup", async () => {
  await using stack = await startStack();
  const common = ["--nats", stack.server.url, "--spool", stack.spoolDir];
  const first = await cli("src/cli/replay.ts", [RECORDING, "--speed", "max", ...common]);
  assert.match(first, /trades published 19904 .*duplicates dropped 0, gaps 0 .*invalid 0/);
  const second = await cli("src/cli/replay.ts", [RECORDING, ...common]);
  assert.match(second, /trades published 0 .*duplicates dropped 19904/);

  // The same trades as a CSV under another source name: new for that source, once.
  const csv = join(stack.tmp, "BTCUSDT-trades-2024-08-08.csv");
  const rows = readFileSync(RECORDING, "utf8").trim().split("\n").slice(0, 300).map((l) => {
    const d = (JSON.parse(l) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    return `${d.t},${d.p},${d.q},0,${d.T},${d.m ? "True" : "False"},True`;
  });
  writeFileSync(csv, rows.join("\n") + "\n");
  const imported = await cli("src/cli/import.ts", [csv, "--source", "csvtest", ...common]);
  assert.match(imported, /as csvtest:BTCUSDT .*trades published 300, duplicates dropped 0/);
  const again = await cli("src/cli/import.ts", [csv, "--source", "csvtest", ...common]);
  assert.match(again, /trades published 0, duplicates dropped 300/);
});
