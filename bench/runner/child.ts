/**
 * One bench in its own process (started by bench/runner/run-bench.ts): runs `bench/<name>.ts`'s
 * `run()`, streams its figures and phases to the parent, and answers the parent's "describe" (sent
 * when the whole-bench deadline passes) with the phase and every wait in flight.
 * Exit code: 0 done, 1 failed (a passed wait deadline included), 3 the file exports no run().
 */
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describeActiveWaits } from "./deadline.js";
import { currentPhase, phase, type RunnerMessage } from "./figures.js";

const name = process.argv[2];
if (!name) throw new Error("usage: child.ts <bench name>");

process.on("message", (message: { type?: string }) => {
  if (message.type !== "describe") return;
  void describeActiveWaits().then((waits) => {
    const reply: RunnerMessage = { type: "waiting", text: `phase: ${currentPhase()}\n${waits}` };
    process.send?.(reply);
  });
});

// A path (tests' fixture benches) or a name under bench/.
const file = isAbsolute(name) ? name : join(import.meta.dirname, "..", `${name}.ts`);
const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<void> };
if (typeof mod.run !== "function") {
  console.log(`(bench/${name}.ts exports no run())`);
  process.exit(3);
}
try {
  phase("run()");
  await mod.run();
  process.exit(0);
} catch (err) {
  console.error(`bench/${name} failed:`, err);
  const reply: RunnerMessage = { type: "failed", text: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  // Exit once the parent has the reason (or at once, run standalone).
  if (process.send && process.connected) process.send(reply, () => process.exit(1));
  else process.exit(1);
}
