/** Where a report's figures came from: the commit (and whether the tree was dirty) and the machine. */
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

export interface RunContext {
  commit: string;
  /** Tracked files with uncommitted changes when the run started (empty: a clean tree). */
  dirtyFiles: string[];
  date: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  natsServer: string;
}

function output(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : `unknown (${command} ${args.join(" ")}: ${(r.stderr || r.error?.message || "failed").trim()})`;
}

export function runContext(natsServerBin: string, now = new Date()): RunContext {
  const status = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
  return {
    commit: output("git", ["rev-parse", "HEAD"]),
    dirtyFiles: status.status === 0 ? status.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => l.slice(3)) : ["(git status failed)"],
    date: now.toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: totalmem() / 2 ** 30,
    node: process.version,
    natsServer: output(natsServerBin, ["--version"]),
  };
}
