import type { KV } from "@nats-io/kv";
import type { Clock, TimerHandle } from "../../clock.js";
import { decodeJson, encodeJson } from "../leases/lease-record.js";
import { KvFollower } from "./kv-follower.js";
import { KvView } from "./kv-view.js";
import type { MemberInfo, NodeId } from "../types.js";

export type MemberChange =
  | { type: "member-joined"; member: MemberInfo }
  | { type: "member-left"; nodeId: NodeId; why: "deleted" | "expired" };

export function isMemberInfo(v: unknown): v is MemberInfo {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.nodeId === "string" && typeof m.host === "string" && typeof m.pid === "number" && Array.isArray(m.roles) && typeof m.heartbeatAt === "number";
}

export interface MembershipOptions {
  kv: KV;
  self: Omit<MemberInfo, "heartbeatAt">;
  heartbeatMs: number;
  ttlMs: number;
  clock: Clock;
  onChange: (change: MemberChange) => void;
  onError: (err: unknown) => void;
}

/**
 * Heartbeats this node into the members bucket and keeps a view of everyone's. A member is live
 * while its key exists and its last heartbeat was seen (on the local clock) within the TTL; a
 * delete (graceful leave) removes it at once, silence removes it after the TTL — the bucket's
 * max_age drops its key on the server at about the same time.
 */
export class Membership {
  readonly #o: MembershipOptions;
  readonly #view = new KvView<MemberInfo>();
  readonly #follower: KvFollower;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #lastHeartbeatOk: number | undefined;

  constructor(options: MembershipOptions) {
    this.#o = options;
    this.#follower = new KvFollower(options.kv, {
      clock: options.clock,
      retryMs: options.heartbeatMs,
      onError: options.onError,
      onChange: (c) => {
        const value = c.value === undefined ? undefined : decodeJson(c.value);
        if (c.value !== undefined && !isMemberInfo(value)) return;
        this.#emit(this.#view.apply(c.key, value as MemberInfo | undefined, c.revision, this.#o.clock.now()));
      },
    });
  }

  async start(): Promise<void> {
    // A bucket another node created a moment ago may not yet be reachable from our server
    // (stream leader elected, interest not yet propagated: "no responders"); retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#heartbeat();
        break;
      } catch (err) {
        if (attempt * this.#o.heartbeatMs >= this.#o.ttlMs) throw err;
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, this.#o.heartbeatMs)));
      }
    }
    await this.#follower.start();
    this.#schedule();
  }

  /** Live members, sorted by id. */
  live(): MemberInfo[] {
    return [...this.#view.entries()].map(([, e]) => e.value).sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  /** Local-clock age of each member's last heartbeat. */
  ages(): Map<NodeId, number> {
    const now = this.#o.clock.now();
    return new Map([...this.#view.entries()].map(([k, e]) => [k, now - e.seenAt]));
  }

  get lastHeartbeatOk(): number | undefined {
    return this.#lastHeartbeatOk;
  }

  /** Drops silent members; called on every tick by the owner of this object too. */
  sweep(): void {
    for (const change of this.#view.expire(this.#o.clock.now(), this.#o.ttlMs)) this.#emit(change);
  }

  /** Stops heartbeating; `graceful` deletes our key so others see us leave at once. */
  async stop(graceful: boolean): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#follower.stop();
    if (graceful) await this.#o.kv.delete(this.#o.self.nodeId);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.sweep();
      this.#heartbeat()
        .catch((err: unknown) => this.#o.onError(err))
        .finally(() => this.#schedule());
    }, this.#o.heartbeatMs);
  }

  async #heartbeat(): Promise<void> {
    const now = this.#o.clock.now();
    const info: MemberInfo = { ...this.#o.self, heartbeatAt: now };
    await this.#o.kv.put(this.#o.self.nodeId, encodeJson(info));
    this.#lastHeartbeatOk = now;
  }

  #emit(change: ReturnType<KvView<MemberInfo>["apply"]>): void {
    if (!change) return;
    if (change.kind === "set") {
      if (!change.previous) this.#o.onChange({ type: "member-joined", member: change.value });
    } else {
      this.#o.onChange({ type: "member-left", nodeId: change.key, why: change.why });
    }
  }
}
