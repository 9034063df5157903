/**
 * The parent side of one bench: starts bench/runner/child.ts in its own process group, collects
 * the figures it records, and enforces the whole-bench deadline. On expiry it prints the bench's
 * phase and what its waits are waiting for (asked over IPC; a blocked event loop cannot answer),
 * then ends the process group (the bench, its nats-server and simulator children).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Figure, RunnerMessage } from "./figures.js";

export type BenchStatus = "done" | "failed" | "deadline" | "no-run";

export interface BenchResult {
  bench: string;
  status: BenchStatus;
  seconds: number;
  figures: Figure[];
  /** Why it failed: the exit, or what it was waiting for at the deadline. */
  detail?: string;
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
/** How long the bench gets to say what it is waiting for, then to exit on SIGTERM. */
const DESCRIBE_GRACE_MS = 15_000;
const TERM_GRACE_MS = 5_000;

const running = new Set<number>();

/** Ends every bench process group still running (the runner was interrupted). */
export function killRunning(): void {
  for (const pid of running) signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function runBench(bench: string, deadlineMs: number, passThrough: readonly string[] = []): Promise<BenchResult> {
  const started = performance.now();
  const figures: Figure[] = [];
  let phase = "starting";
  let phaseAt = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, bench, ...passThrough], { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  const pid = child.pid!;
  running.add(pid);
  let waitingAnswer: ((text: string) => void) | undefined;
  let expired: string | undefined;
  let failure: string | undefined;
  child.on("message", (m: RunnerMessage) => {
    if (m.type === "figure") figures.push(m.figure);
    else if (m.type === "phase") [phase, phaseAt] = [m.text, Date.now()];
    else if (m.type === "waiting") waitingAnswer?.(m.text);
    else if (m.type === "failed") failure = m.text;
  });
  const timer = setTimeout(async () => {
    const phaseLine = `phase: ${phase} (for ${((Date.now() - phaseAt) / 1000).toFixed(0)} s), ${figures.length} figures recorded`;
    const answer = await new Promise<string>((resolve) => {
      waitingAnswer = resolve;
      if (child.connected) child.send({ type: "describe" });
      setTimeout(() => resolve(`${phaseLine}\n(no answer within ${DESCRIBE_GRACE_MS / 1000} s: its event loop is blocked or it is exiting)`), DESCRIBE_GRACE_MS).unref();
    });
    expired = answer;
    console.error(`\nbench/${bench} passed its whole-run deadline of ${(deadlineMs / 1000).toFixed(0)} s; it was at\n${answer.replace(/^/gm, "    ")}\nending it (process group ${pid})`);
    signalGroup(pid, "SIGTERM");
    setTimeout(() => signalGroup(pid, "SIGKILL"), TERM_GRACE_MS).unref();
  }, deadlineMs);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(pid);
      const seconds = (performance.now() - started) / 1000;
      const result: BenchResult = { bench, seconds, figures, status: "done" };
      if (expired !== undefined) Object.assign(result, { status: "deadline", detail: `whole-run deadline of ${(deadlineMs / 1000).toFixed(0)} s passed; ${expired}` });
      else if (code === 3) result.status = "no-run";
      else if (code !== 0) Object.assign(result, { status: "failed", detail: failure ?? `exited with ${signal ?? code}` });
      // Whatever a failed bench left behind in its group (a simulator, a nats-server) goes with it.
      if (result.status !== "done" && result.status !== "no-run") signalGroup(pid, "SIGKILL");
      resolve(result);
    });
  });
}
