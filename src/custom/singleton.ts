/**
 * One holder per cluster for a job that must not run twice (the CustomRouter: it owns its durable
 * consumer and acknowledges with ack-all). A KV key in a bucket whose max_age is the lease TTL:
 * acquired by `create` (succeeds only when the key is absent, deleted or expired), renewed by
 * compare-and-set on the revision we wrote, released by a CAS delete. The holder stops its job
 * when a renewal conflicts or when none has been confirmed for TTL − margin since it was SENT
 * (the server stamps the write later, so the key cannot expire before send time + TTL).
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV } from "@nats-io/kv";
import { systemClock, type Clock, type TimerHandle } from "../runtime/clock.js";
import { bootstrap, isCasConflict, type BucketSpec } from "../runtime/nats/index.js";

/** The bucket for cluster-wide singletons (to move into platformLogSpec; created here meanwhile). */
export function singletonBucketSpec(ttlMs: number): BucketSpec {
  return { kind: "bucket", name: "rt_singletons", description: "cluster-wide singleton jobs, one key per job", ttlMs, history: 1, cas: true };
}

export interface SingletonOptions {
  key: string;
  owner: string;
  ttlMs: number;
  /** Starts the job once the lease is ours; returns how to stop it. */
  start(): Promise<() => Promise<void>>;
  clock?: Clock;
  onChange?(held: boolean): void;
  onError?(where: string, err: unknown): void;
}

export class SingletonLease {
  readonly #kv: KV;
  readonly #o: SingletonOptions;
  readonly #clock: Clock;
  #revision = 0;
  #confirmedSentAt = 0;
  #stopJob: (() => Promise<void>) | undefined;
  #timer: TimerHandle | undefined;
  #busy: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(kv: KV, options: SingletonOptions) {
    this.#kv = kv;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    if (!(options.ttlMs >= 300)) throw new RangeError(`singleton ttlMs must be >= 300 (got ${options.ttlMs})`);
  }

  static async open(nc: NatsConnection, options: SingletonOptions): Promise<SingletonLease> {
    const spec = singletonBucketSpec(options.ttlMs);
    await bootstrap(nc, [spec]);
    const lease = new SingletonLease(await new Kvm(nc).open(spec.name), options);
    lease.#schedule(0);
    return lease;
  }

  get held(): boolean {
    return this.#stopJob !== undefined;
  }

  /** Stops the job (if ours) and releases the key so a standby takes over at once. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    await this.#busy;
    if (this.#stopJob) {
      await this.#lose("closing");
      await this.#kv.delete(this.#o.key, { previousSeq: this.#revision }).catch((err: unknown) => this.#o.onError?.("release", err));
    }
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#busy = this.#tick().catch((err: unknown) => this.#o.onError?.("tick", err));
      void this.#busy.then(() => this.#schedule(this.#stopJob ? this.#o.ttlMs / 4 : this.#o.ttlMs / 2));
    }, ms);
  }

  async #tick(): Promise<void> {
    const sentAt = this.#clock.now();
    const value = new TextEncoder().encode(JSON.stringify({ owner: this.#o.owner, at: sentAt }));
    if (!this.#stopJob) {
      try {
        this.#revision = await this.#kv.create(this.#o.key, value);
      } catch (err) {
        if (!isCasConflict(err)) this.#o.onError?.("acquire", err);
        return; // someone holds it: stay on standby
      }
      this.#confirmedSentAt = sentAt;
      if (this.#closed) return;
      this.#stopJob = await this.#o.start();
      this.#o.onChange?.(true);
      return;
    }
    try {
      this.#revision = await this.#kv.update(this.#o.key, value, this.#revision);
      this.#confirmedSentAt = sentAt;
    } catch (err) {
      if (isCasConflict(err)) return this.#lose("renewal conflicted: another holder");
      this.#o.onError?.("renew", err);
    }
    // A third of the TTL as margin: stop well before the key can expire under us.
    if (this.#clock.now() - this.#confirmedSentAt > (this.#o.ttlMs * 2) / 3) await this.#lose("no confirmed renewal within the lease");
  }

  async #lose(why: string): Promise<void> {
    const stop = this.#stopJob;
    this.#stopJob = undefined;
    if (!stop) return;
    if (why !== "closing") this.#o.onError?.("lost", new Error(why));
    await stop().catch((err: unknown) => this.#o.onError?.("stop", err));
    this.#o.onChange?.(false);
  }
}
