/**
 * Which admin commands the nodes answer. The AdminService has no listing command; an unknown
 * command's reply names the known ones ("unknown command "x" (known: a, b)"), so a probe with
 * a reserved name reads every node's list in one broadcast.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { callAdmin } from "../admin/client.js";
import type { AdminReply } from "../admin/protocol.js";

export const PROBE_COMMAND = "help";

export interface NodeCommands {
  nodeId: string;
  commands: string[];
  error: string | null;
}

export function commandsFromReply(r: AdminReply): NodeCommands {
  if (r.ok) {
    const listed = (r.result as { commands?: unknown } | null)?.commands;
    return { nodeId: r.nodeId, commands: Array.isArray(listed) ? listed.map(String).sort() : [], error: Array.isArray(listed) ? null : "help answered without a command list" };
  }
  if (r.code === "unknown-command") {
    const known = /\(known: ([^)]*)\)\s*$/.exec(r.error)?.[1];
    if (known !== undefined) return { nodeId: r.nodeId, commands: known.split(",").map((s) => s.trim()).filter(Boolean).sort(), error: null };
  }
  return { nodeId: r.nodeId, commands: [], error: r.error };
}

export async function discoverCommands(nc: NatsConnection, token: string | undefined): Promise<NodeCommands[]> {
  const replies = await callAdmin(nc, PROBE_COMMAND, [], { token, timeoutMs: 2_000, stallMs: 300 });
  return replies.map(commandsFromReply);
}
