import type { JetStreamManager } from "@nats-io/jetstream";
import type { Clock, TimerHandle } from "../../clock.js";
import { describeError } from "../../actor/errors.js";
import { emptyRestartHistory, oneForOne, superviseFailure, type RestartHistory } from "../../actor/supervision.js";
import type { RuntimeEvent, SupervisorStrategy } from "../../actor/types.js";
import { restartedAt, sameProgress, watchStall, type StallWatchState } from "./stall-watch.js";

/** A partition's log input waits and nothing moved for `stalledForMs`: reported, then its consumer restarted. */
export class PartitionStalled extends Error {
  readonly retryable = true;
  constructor(
    readonly region: string,
    readonly partition: number,
    readonly stalledForMs: number,
    readonly backlog: number,
  ) {
    super(`partition ${partition} of region ${region} stalled: ${backlog} log messages waiting, no progress for ${stalledForMs} ms`);
    this.name = "PartitionStalled";
  }
}

/** What the watchdog needs of a partition's consumer (PartitionConsumer has it). */
export interface WatchedConsumer {
  readonly durable: string;
  readonly progress: readonly number[];
  readonly stats: { unhandled: number };
  restart(): void;
}

export interface StallWatchdogOptions {
  region: string;
  stream: string;
  /** The running partitions with durable input, now. */
  partitions(): Iterable<[number, WatchedConsumer]>;
  jsm(): Promise<JetStreamManager>;
  clock: Clock;
  stallAfterMs: number;
  /** Default stallAfterMs / 3 (at least 1 s). */
  checkEveryMs?: number;
  /** How restarts are decided. Default: restart with backoff 1..30 s, at most 5 within 10 minutes. */
  strategy?: SupervisorStrategy;
  random?: () => number;
  /** Runtime events: supervision decisions, and an error log line per stall. */
  emit(event: RuntimeEvent): void;
  onStall?(stall: PartitionStalled): void;
}

export interface PartitionStallStatus {
  partition: number;
  stalledForMs: number;
  restarts: number;
  /** The restart budget ran out (or the strategy said stop): reported, no longer restarted. */
  gaveUp: boolean;
}

interface Watched {
  state: StallWatchState | undefined;
  history: RestartHistory;
  restarts: number;
  gaveUp: boolean;
  stalledForMs: number;
  pendingRestart: TimerHandle | undefined;
}

export const defaultStallStrategy: SupervisorStrategy = oneForOne({ maxRestarts: 5, withinMs: 600_000, backoff: { initialMs: 1000, maxMs: 30_000 } });

/**
 * The stall watchdog of one region: every check it observes each running partition (its consumer's
 * progress counters, and the server's num_pending + num_ack_pending when nothing moved locally),
 * asks `watchStall`, and for a partition that newly stalled reports it and restarts its consumer as
 * the supervision strategy decides (budget, backoff), with the decision as a runtime event.
 */
export class StallWatchdog {
  readonly #o: StallWatchdogOptions;
  readonly #strategy: SupervisorStrategy;
  readonly #watched = new Map<number, Watched>();
  #timer: TimerHandle | undefined;
  #checking = false;
  #stalls = 0;

  constructor(options: StallWatchdogOptions) {
    this.#o = options;
    this.#strategy = options.strategy ?? defaultStallStrategy;
  }

  /** Stalls detected since this watchdog started. */
  get stalls(): number {
    return this.#stalls;
  }

  start(): void {
    const every = this.#o.checkEveryMs ?? Math.max(1000, Math.floor(this.#o.stallAfterMs / 3));
    const tick = (): void => {
      this.#timer = this.#o.clock.setTimeout(() => void this.check().finally(tick), every);
    };
    tick();
  }

  stop(): void {
    this.#timer?.cancel();
    for (const w of this.#watched.values()) w.pendingRestart?.cancel();
    this.#watched.clear();
  }

  status(partition: number): PartitionStallStatus | undefined {
    const w = this.#watched.get(partition);
    if (w === undefined || (w.state?.stalled !== true && w.restarts === 0)) return undefined;
    return { partition, stalledForMs: w.state?.stalled ? w.stalledForMs : 0, restarts: w.restarts, gaveUp: w.gaveUp };
  }

  /** One round over the running partitions (the timer calls it; tests may too). */
  async check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const seen = new Set<number>();
      for (const [partition, consumer] of this.#o.partitions()) {
        seen.add(partition);
        await this.#checkOne(partition, consumer);
      }
      for (const [p, w] of this.#watched) if (!seen.has(p)) (w.pendingRestart?.cancel(), this.#watched.delete(p));
    } finally {
      this.#checking = false;
    }
  }

  async #checkOne(partition: number, consumer: WatchedConsumer): Promise<void> {
    let w = this.#watched.get(partition);
    if (w === undefined) {
      w = { state: undefined, history: emptyRestartHistory, restarts: 0, gaveUp: false, stalledForMs: 0, pendingRestart: undefined };
      this.#watched.set(partition, w);
    }
    const progress = consumer.progress;
    const moved = w.state === undefined || !sameProgress(w.state.progress, progress);
    // The server is asked only when nothing moved here: a partition at work costs no request.
    const backlog = consumer.stats.unhandled + (moved ? 0 : await this.#serverBacklog(consumer.durable));
    const now = this.#o.clock.now();
    const { state, verdict } = watchStall(w.state, { progress, backlog }, now, this.#o.stallAfterMs);
    w.state = state;
    if (verdict.kind !== "stalled") return;
    w.stalledForMs = verdict.forMs;
    if (!verdict.newly) return;
    this.#stalls++;
    const stall = new PartitionStalled(this.#o.region, partition, verdict.forMs, backlog);
    this.#o.emit({ type: "log", path: `region-${this.#o.region}/p${partition}`, at: now, level: "error", message: stall.message, fields: { partition, backlog, stalledForMs: verdict.forMs } });
    this.#o.onStall?.(stall);
    if (!w.gaveUp && w.pendingRestart === undefined) this.#supervise(partition, consumer, w, stall, now);
  }

  #supervise(partition: number, consumer: WatchedConsumer, w: Watched, stall: PartitionStalled, now: number): void {
    const path = `region-${this.#o.region}/p${partition}`;
    const child = `${path}/consumer`;
    const outcome = superviseFailure(this.#strategy, stall, { history: w.history, hasInstance: true }, now, this.#o.random ?? Math.random);
    const error = describeError(stall);
    switch (outcome.kind) {
      case "restart": {
        w.history = outcome.history;
        this.#o.emit({ type: "supervisor-decision", path, child, at: now, directive: "restart", error, restartInMs: outcome.delayMs, restartCount: outcome.restartsInWindow });
        w.pendingRestart = this.#o.clock.setTimeout(() => {
          w.pendingRestart = undefined;
          w.restarts++;
          consumer.restart();
          // A whole new period before it can count as stalled again.
          if (w.state !== undefined) w.state = restartedAt(w.state, this.#o.clock.now());
        }, outcome.delayMs);
        return;
      }
      case "budget-exhausted":
        w.history = outcome.history;
        w.gaveUp = true;
        this.#o.emit({ type: "restart-budget-exhausted", path, child, at: now, restarts: outcome.restartsInWindow, withinMs: this.#strategy.withinMs });
        return;
      case "resume":
        this.#o.emit({ type: "supervisor-decision", path, child, at: now, directive: outcome.kind, error });
        return;
      case "stop":
      case "escalate":
        // Nothing above a partition's consumer restarts it here: reported, left as it is.
        w.gaveUp = true;
        this.#o.emit({ type: "supervisor-decision", path, child, at: now, directive: outcome.kind, error });
        return;
    }
  }

  async #serverBacklog(durable: string): Promise<number> {
    try {
      const info = await (await this.#o.jsm()).consumers.info(this.#o.stream, durable);
      return info.num_pending + info.num_ack_pending;
    } catch {
      return 0; // unknown: a partition is not called stalled on a failed request
    }
  }
}
