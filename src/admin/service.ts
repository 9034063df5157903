import type { NatsConnection, Msg, Subscription } from "@nats-io/transport-node";
import type { AdminAuth, AdminVerdict } from "./auth.js";
import { signedFieldsProblem } from "./signing.js";
import { AuditPublisher } from "./audit-publish.js";
import { broadcastSubject, nodeSubject, type AdminInvocation, type AdminReply, type AdminRequest, type AuditRecord } from "./protocol.js";

export class AdminBadRequest extends Error {
  override readonly name = "AdminBadRequest";
}

export type AdminHandler = (args: string[], request: AdminInvocation) => unknown | Promise<unknown>;

/**
 * A node's admin endpoint. Each command answers on `admin.<command>` (every node replies) and on
 * `admin.node.<nodeId>.<command>`. Every request's signature, age and nonce are checked (AdminAuth), and
 * every request but a status poll is audited on the AUDIT stream, with the signing key's id
 * (a refusal's text clipped, see audit-publish.ts). The record is published in the background,
 * acknowledged and retried, so a reply never waits for the audit trail.
 */
export class AdminService implements AsyncDisposable {
  readonly #handlers = new Map<string, AdminHandler>();
  readonly #subscriptions: Subscription[] = [];
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly nodeId: string,
    private readonly auth: AdminAuth,
    private readonly onAudit: (record: AuditRecord) => void = () => {},
    /** The clock that judges a request's age (tests). */
    private readonly now: () => number = Date.now,
    /** Publishes the audit records (the node passes one with its logger). */
    private readonly audits: AuditPublisher = new AuditPublisher(nc),
  ) {}

  register(command: string, handler: AdminHandler): this {
    this.#handlers.set(command, handler);
    return this;
  }

  start(): void {
    for (const subject of [broadcastSubject("*"), nodeSubject(this.nodeId, "*")]) {
      const sub = this.nc.subscribe(subject, { callback: (err, msg) => void (err ? undefined : this.#handle(msg)) });
      this.#subscriptions.push(sub);
    }
  }

  async #handle(msg: Msg): Promise<void> {
    const { command, target } = this.#addressOf(msg.subject);
    let request: AdminRequest;
    try {
      request = JSON.parse(this.#decoder.decode(msg.data)) as AdminRequest;
      if (typeof request !== "object" || request === null || !Array.isArray(request.args)) throw new Error("args must be an array");
    } catch (err) {
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "bad-request", error: `malformed admin request: ${(err as Error).message}` });
    }
    const unsigned = request.sig === undefined && request.keyId === undefined;
    const problem = unsigned ? undefined : signedFieldsProblem(request as unknown as Record<string, unknown>);
    if (problem) return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "bad-request", error: `malformed admin request: ${problem}` });
    const verdict: AdminVerdict = unsigned ? { ok: false, reason: "the request is not signed" } : this.auth.verify(request, { command, target }, this.now());
    const audit = (result: AuditRecord["result"], detail?: string) =>
      this.#audit({
        at: new Date(this.now()).toISOString(),
        nodeId: this.nodeId,
        caller: String(request.caller ?? "unknown"),
        ...(typeof request.onBehalfOf === "string" ? { onBehalfOf: request.onBehalfOf } : {}),
        ...(verdict.ok ? { keyId: verdict.keyId } : typeof request.keyId === "string" ? { keyId: request.keyId } : {}),
        command,
        args: request.args,
        result,
        ...(detail ? { detail } : {}),
      });
    if (!verdict.ok) {
      audit("rejected", verdict.reason);
      const hint = this.auth.localOnly ? "no ADMIN_TOKENS are configured, so admin commands work only from this node's machine" : "sign with a token from ADMIN_TOKENS (--token or ADMIN_TOKEN)";
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "unauthorized", error: `unauthorized: ${verdict.reason}; ${hint}` });
    }
    const handler = this.#handlers.get(command);
    if (!handler) {
      audit("rejected", "unknown command");
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "unknown-command", error: `unknown command "${command}" (known: ${[...this.#handlers.keys()].sort().join(", ")})` });
    }
    try {
      const result = await handler(request.args, { command, args: request.args, caller: request.caller, onBehalfOf: request.onBehalfOf, keyId: verdict.keyId });
      if (command !== "status") audit("ok");
      this.#reply(msg, { ok: true, nodeId: this.nodeId, command, result });
    } catch (err) {
      const bad = err instanceof AdminBadRequest;
      audit(bad ? "rejected" : "failed", (err as Error).message);
      this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: bad ? "bad-request" : "failed", error: (err as Error).message });
    }
  }

  /** `admin.<command>` is a broadcast (target "*"); `admin.node.<id>.<command>` is for this node. */
  #addressOf(subject: string): { command: string; target: string } {
    const command = subject.slice(subject.lastIndexOf(".") + 1);
    return { command, target: subject === broadcastSubject(command) ? "*" : this.nodeId };
  }

  /**
   * A reply larger than one NATS message (the server's max_payload, 1 MiB by default) cannot be
   * sent: the caller gets an error that says so instead of no answer at all.
   */
  #reply(msg: Msg, reply: AdminReply): void {
    if (!msg.reply) return;
    let data = this.#encoder.encode(JSON.stringify(reply));
    const max = this.nc.info?.max_payload;
    if (max !== undefined && data.length > max) {
      const error = `the reply is ${data.length} bytes, more than one NATS message may carry (max_payload ${max}); ask for less (e.g. name the symbols)`;
      data = this.#encoder.encode(JSON.stringify({ ok: false, nodeId: this.nodeId, command: reply.command, code: "failed", error } satisfies AdminReply));
    }
    msg.respond(data);
  }

  #audit(record: AuditRecord): void {
    this.onAudit(record);
    void this.audits.publish(record);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const sub of this.#subscriptions) sub.unsubscribe();
    this.#subscriptions.length = 0;
  }
}
