import type { NatsConnection, Msg, Subscription } from "@nats-io/transport-node";
import { AdminAuth } from "./auth.js";
import { AUDIT_SUBJECT, broadcastSubject, nodeSubject, type AdminReply, type AdminRequest, type AuditRecord } from "./protocol.js";

export class AdminBadRequest extends Error {
  override readonly name = "AdminBadRequest";
}

export type AdminHandler = (args: string[], request: AdminRequest) => unknown | Promise<unknown>;

/**
 * A node's admin endpoint. Each command answers on `admin.<command>` (every node replies) and on
 * `admin.node.<nodeId>.<command>`. Every request is authenticated and audited on the EVENTS stream.
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
    const command = msg.subject.slice(msg.subject.lastIndexOf(".") + 1);
    let request: AdminRequest;
    try {
      request = JSON.parse(this.#decoder.decode(msg.data)) as AdminRequest;
      if (!Array.isArray(request.args)) throw new Error("args must be an array");
    } catch (err) {
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "bad-request", error: `malformed admin request: ${(err as Error).message}` });
    }
    const audit = (result: AuditRecord["result"], detail?: string) =>
      this.#audit({ at: new Date().toISOString(), nodeId: this.nodeId, caller: String(request.caller ?? "unknown"), command, args: request.args, result, ...(detail ? { detail } : {}) });
    if (!this.auth.accepts(request.token)) {
      audit("rejected", "no valid admin token");
      const hint = this.auth.localOnly ? "no ADMIN_TOKENS are configured, so admin commands work only from this node's machine" : "pass a token from ADMIN_TOKENS with --token or ADMIN_TOKEN";
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "unauthorized", error: `unauthorized: ${hint}` });
    }
    const handler = this.#handlers.get(command);
    if (!handler) {
      audit("rejected", "unknown command");
      return this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: "unknown-command", error: `unknown command "${command}" (known: ${[...this.#handlers.keys()].sort().join(", ")})` });
    }
    try {
      const result = await handler(request.args, request);
      if (command !== "status") audit("ok");
      this.#reply(msg, { ok: true, nodeId: this.nodeId, command, result });
    } catch (err) {
      const bad = err instanceof AdminBadRequest;
      audit(bad ? "rejected" : "failed", (err as Error).message);
      this.#reply(msg, { ok: false, nodeId: this.nodeId, command, code: bad ? "bad-request" : "failed", error: (err as Error).message });
    }
  }

  #reply(msg: Msg, reply: AdminReply): void {
    if (msg.reply) msg.respond(this.#encoder.encode(JSON.stringify(reply)));
  }

  #audit(record: AuditRecord): void {
    this.onAudit(record);
    this.nc.publish(AUDIT_SUBJECT, this.#encoder.encode(JSON.stringify(record)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const sub of this.#subscriptions) sub.unsubscribe();
    this.#subscriptions.length = 0;
  }
}
