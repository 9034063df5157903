import { userInfo, hostname } from "node:os";
import type { NatsConnection } from "@nats-io/transport-node";
import { broadcastSubject, nodeSubject, type AdminReply, type AdminRequest } from "./protocol.js";
import { AdminKey, newNonce, signAdminRequest } from "./signing.js";

export interface AdminCallOptions {
  /** The admin token to sign with (configured, or the machine-local file). It is never sent. */
  token?: string | undefined;
  /** Whom this caller acts for (a web server: the person it authenticated); signed and audited. */
  onBehalfOf?: string | undefined;
  /** Ask one node only; default: every node answers. */
  nodeId?: string | undefined;
  /** How long to wait for the first answer, and for stragglers after it. */
  timeoutMs?: number;
  stallMs?: number;
  /** Wait for this many replies (up to timeoutMs) instead of stopping once answers stall. */
  expectReplies?: number | undefined;
  /** Signing time (tests). Default Date.now. */
  now?: () => number;
}

export class NoAdminReply extends Error {
  override readonly name = "NoAdminReply";
}

/** The request as sent: signed when a token is given; without one the nodes answer "unauthorized". */
export function adminRequest(command: string, args: string[], options: AdminCallOptions): AdminRequest | Omit<AdminRequest, "keyId" | "sig"> {
  const fields = {
    command,
    args,
    target: options.nodeId ?? "*",
    ts: (options.now ?? Date.now)(),
    nonce: newNonce(),
    caller: `${userInfo().username}@${hostname()}`,
    ...(options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {}),
  };
  return options.token ? signAdminRequest(AdminKey.fromToken(options.token), fields) : fields;
}

/** Sends an admin command and collects the replies of every node that answers. */
export async function callAdmin(nc: NatsConnection, command: string, args: string[], options: AdminCallOptions = {}): Promise<AdminReply[]> {
  const payload = new TextEncoder().encode(JSON.stringify(adminRequest(command, args, options)));
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
