import { userInfo, hostname } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import { broadcastSubject, nodeSubject, type AdminReply, type AdminRequest } from "./protocol.js";

export interface AdminCallOptions {
  token?: string | undefined;
  /** Ask one node only; default: every node answers. */
  nodeId?: string | undefined;
  /** How long to wait for the first answer, and for stragglers after it. */
  timeoutMs?: number;
  stallMs?: number;
  /** Wait for this many replies (up to timeoutMs) instead of stopping once answers stall. */
  expectReplies?: number | undefined;
}

export class NoAdminReply extends Error {
  override readonly name = "NoAdminReply";
}

/** Sends an admin command and collects the replies of every node that answers. */
export async function callAdmin(nc: NatsConnection, command: string, args: string[], options: AdminCallOptions = {}): Promise<AdminReply[]> {
  const request: AdminRequest = { command, args, caller: `${userInfo().username}@${hostname()}`, ...(options.token ? { token: options.token } : {}) };
  const payload = new TextEncoder().encode(JSON.stringify(request));
  const subject = options.nodeId ? nodeSubject(options.nodeId, command) : broadcastSubject(command);
  const timeoutMs = options.timeoutMs ?? 3000;
  const replies: AdminReply[] = [];
  try {
    const expected = options.nodeId ? 1 : options.expectReplies;
    const iterable = await nc.requestMany(subject, payload, {
      strategy: expected !== undefined ? "count" : "stall",
      maxMessages: expected ?? -1,
      maxWait: timeoutMs,
      stall: options.stallMs ?? 300,
    });
    for await (const msg of iterable) {
      replies.push(JSON.parse(new TextDecoder().decode(msg.data)) as AdminReply);
    }
  } catch (err) {
    if (replies.length === 0) throw new NoAdminReply(`no node answered "${command}" within ${timeoutMs} ms: is a node running on this NATS?`, { cause: err });
  }
  if (replies.length === 0) throw new NoAdminReply(`no node answered "${command}" within ${timeoutMs} ms: is a node running on this NATS?`);
  return replies.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}
