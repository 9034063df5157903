/**
 * A/B for the pipeline's latency tail: the same runs as bench/pipeline.ts, with every nats.js
 * `fetch` abandoned 100 ms after its expiry if it is still open. Against nats-server 2.9 a few
 * per cent of 1 s pulls get neither their 408 nor a heartbeat, and the partition stalls until
 * nats.js gives up (2 missed heartbeats) and the region recreates the consumer: the trade→bar p99
 * at 10k trades/s is then 0.7–0.9 s. The patch here is a measurement device only (it reaches
 * into nats.js internals); the fix belongs in src/runtime/cluster/consumer/partition-consumer.ts (arm the
 * same deadline per fetch). See bench/pipeline-pull-stall.ts for the stall without our code.
 * Env: as bench/pipeline.ts (BENCH_PIPELINE_ONLY defaults to "latency" here).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exitAfterIfEntry } from "./runner/entry.js";

interface ClosableBatch {
  close(): Promise<void | Error>;
  closed(): Promise<void | Error>;
}

function abandonLateFetches(graceMs: number): void {
  const require = createRequire(import.meta.url);
  // The package exports only its entry points; the class lives beside the main module.
  const { PullConsumerImpl } = require(join(dirname(require.resolve("@nats-io/jetstream")), "consumer.js")) as {
    PullConsumerImpl: { prototype: { fetch(this: unknown, opts?: { expires?: number }): Promise<ClosableBatch> } };
  };
  const original = PullConsumerImpl.prototype.fetch;
  PullConsumerImpl.prototype.fetch = async function (this: unknown, opts?: { expires?: number }) {
    const batch = await original.call(this, opts);
    const timer = setTimeout(() => void batch.close(), (opts?.expires ?? 30_000) + graceMs);
    void batch.closed().finally(() => clearTimeout(timer));
    return batch;
  };
}

async function patchedRun(): Promise<void> {
  process.env.BENCH_PIPELINE_ONLY ??= "latency";
  abandonLateFetches(100);
  console.log("with every fetch abandoned 100 ms after its expiry:");
  const pipeline = await import("./pipeline.js");
  await pipeline.run();
}

/** Runs in a child process, so the patch never leaks into other benchmarks of the same run. */
export async function run(): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: "inherit" });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`pipeline-fetch-deadline exited with ${code}`);
}

exitAfterIfEntry(import.meta.url, patchedRun);
