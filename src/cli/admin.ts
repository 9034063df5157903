/**
 * npm run admin -- [--json] [--token T] [--node ID] [--nats-url URL] [--data-dir DIR] <command> [args...]
 * Sends an admin command to the running nodes over NATS request/reply and prints their answers.
 */
import { callAdmin, NoAdminReply } from "../admin/client.js";
import { localTokenPath } from "../admin/auth.js";
import { renderStatus } from "../admin/render.js";
import { renderVerify } from "../admin/render-verify.js";
import type { VerifyReport } from "../verify/types.js";
import type { NodeStatus } from "../node/status.js";
import { readFileSync } from "node:fs";
import { connectCliNats } from "./nats.js";

interface CliArgs {
  json: boolean;
  token: string | undefined;
  nodeId: string | undefined;
  natsUrl: string | undefined;
  dataDir: string;
  command: string;
  args: string[];
  timeoutMs: number | undefined;
}

/** Commands that do real work (training, transforms, audits, lake maintenance) may take minutes. */
const SLOW_COMMANDS = new Set(["train", "transform", "quality", "verify", "lake-optimize", "lake-vacuum", "replay"]);

const USAGE =
  "usage: npm run admin -- [--json] [--token T] [--node ID] [--timeout SECONDS] [--nats-url URL] [--data-dir DIR] <command> [args...]\n" +
  "commands: status, ingest-status, subscribe, unsubscribe, pause, resume, transform, lake-optimize, lake-vacuum, train, rollback, quality, verify [--since 2h] (what a node answers depends on its roles)";

function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { json: false, token: process.env.ADMIN_TOKEN, nodeId: undefined, natsUrl: undefined, dataDir: process.env.DATA_DIR || "./data", command: "", args: [], timeoutMs: undefined };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--json") out.json = true;
    else if (a === "--token") out.token = value();
    else if (a === "--node") out.nodeId = value();
    else if (a === "--nats-url") out.natsUrl = value();
    else if (a === "--data-dir") out.dataDir = value();
    else if (a === "--timeout") {
      const seconds = Number(value());
      if (!(seconds > 0)) throw new Error(`--timeout takes a positive number of seconds\n${USAGE}`);
      out.timeoutMs = seconds * 1000;
    }
    else if (a === "--help" || a === "-h") throw new Error(USAGE);
    else rest.push(a);
  }
  if (rest.length === 0) throw new Error(USAGE);
  out.command = rest[0]!;
  out.args = rest.slice(1);
  if (!out.token) {
    try {
      out.token = readFileSync(localTokenPath(out.dataDir), "utf8").trim();
    } catch {
      // no local token: the node will answer "unauthorized" with a hint
    }
  }
  return out;
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const nc = await connectCliNats(args.natsUrl, "tickhouse-admin", process.env, args.dataDir).catch((err: Error) => {
    console.error(err.message);
    return undefined;
  });
  if (!nc) return 1;
  try {
    const slow = SLOW_COMMANDS.has(args.command);
    const timeoutMs = args.timeoutMs ?? (slow ? 600_000 : 3000);
    // A slow command answers from each node when it is done: count the nodes first, then wait for all.
    const expectReplies = slow && !args.nodeId ? (await callAdmin(nc, "status", [], { token: args.token })).length : undefined;
    const replies = await callAdmin(nc, args.command, args.args, { token: args.token, nodeId: args.nodeId, timeoutMs, expectReplies });
    if (args.json) {
      console.log(JSON.stringify(replies, null, 2));
    } else if (args.command === "status" && replies.every((r) => r.ok)) {
      console.log(renderStatus(replies.map((r) => (r.ok ? (r.result as NodeStatus) : undefined!))));
    } else if (args.command === "verify") {
      // Only the elected auditor verifies; the other quality nodes answer "skipped".
      for (const r of replies) if (!r.ok || !(r.result as { skipped?: boolean }).skipped) console.log(r.ok ? renderVerify(r.nodeId, r.result as VerifyReport) : `${r.nodeId}: ERROR ${r.error}`);
    } else {
      for (const r of replies) console.log(r.ok ? `${r.nodeId}: ${typeof r.result === "string" ? r.result : JSON.stringify(r.result, null, 2)}` : `${r.nodeId}: ERROR ${r.error}`);
    }
    const failedVerify = args.command === "verify" && replies.some((r) => r.ok && (r.result as { status?: string }).status === "FAILED");
    return replies.every((r) => r.ok) && !failedVerify ? 0 : 1;
  } catch (err) {
    console.error(err instanceof NoAdminReply ? err.message : err);
    return 1;
  } finally {
    await nc.close();
  }
}

process.exitCode = await main();
