/**
 * npm run admin -- [--json] [--token T] [--node ID] [--nats-url URL] [--data-dir DIR] <command> [args...]
 * Sends an admin command to the running nodes over NATS request/reply and prints their answers.
 */
import { callAdmin, NoAdminReply } from "../admin/client.js";
import { localTokenPath } from "../admin/auth.js";
import { renderStatus } from "../admin/render.js";
import { renderVerify } from "../admin/render-verify.js";
import type { VerifyReport } from "../verify/types.js";
import type { NodeStatus } from "../runtime/status.js";
import { readFileSync } from "node:fs";
import { connectCliNats } from "./nats.js";
import { adminCliSettings, type AdminCliSettings } from "../config/admin-cli.js";

/** Commands that do real work (training, transforms, audits, lake maintenance) may take minutes. */
const SLOW_COMMANDS = new Set(["train", "transform", "quality", "verify", "lake-optimize", "lake-vacuum", "replay"]);

/** The settings, with the machine-local token when neither --token nor ADMIN_TOKEN gave one. */
function settings(argv: string[]): AdminCliSettings {
  const out = adminCliSettings(argv);
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
  let args: AdminCliSettings;
  try {
    args = settings(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const nc = await connectCliNats(args.natsUrl, "tickhouse-admin", undefined, args.dataDir).catch((err: Error) => {
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
