/** The local actor system: a root guardian ("/user") over the top-level actors, an event stream and shared options. */
import { type Clock, systemClock } from "../clock.js";
import { ActorCell } from "./cell.js";
import type { RuntimeEnv } from "./env.js";
import { InvalidActorOption } from "./errors.js";
import { EventStream } from "./events.js";
import { defaultStrategy } from "./supervision.js";
import type { ActorFactory, ActorRef, ActorStats, RuntimeEvent, SpawnOptions, SupervisorStrategy } from "./types.js";

export interface ActorSystemOptions {
  /** Names the system in logs; not part of actor paths. */
  name: string;
  /** Default: the system clock. Inject a ManualClock in tests. */
  clock?: Clock;
  /** Default 1000. */
  defaultMailboxCapacity?: number;
  /** Default 5000. */
  defaultAskTimeoutMs?: number;
  /** How the root guardian supervises top-level actors. Default: `defaultStrategy`. */
  supervisor?: SupervisorStrategy;
  /** Recent events kept for `recentEvents`. Default 1000. */
  eventBufferSize?: number;
  /** Jitter source for restart backoff, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Messages an actor handles per turn before yielding to the event loop. Default 100. */
  throughput?: number;
}

type LifecycleState = "running" | "stopping" | "stopped";

export class ActorSystem implements AsyncDisposable {
  readonly name: string;
  readonly clock: Clock;
  readonly events: EventStream;
  readonly #env: RuntimeEnv;
  readonly #root: ActorCell<never, never>;
  readonly #live = new Set<{ stats(): ActorStats }>();
  #lifecycle: LifecycleState = "running";
  #shutdown: Promise<void> | undefined;

  constructor(options: ActorSystemOptions) {
    if (typeof options.name !== "string" || options.name.length === 0) throw new InvalidActorOption("name", "must be a non-empty string");
    const defaultMailboxCapacity = options.defaultMailboxCapacity ?? 1000;
    const defaultAskTimeoutMs = options.defaultAskTimeoutMs ?? 5000;
    const eventBufferSize = options.eventBufferSize ?? 1000;
    const throughput = options.throughput ?? 100;
    requireInteger("defaultMailboxCapacity", defaultMailboxCapacity, 1);
    if (!(defaultAskTimeoutMs > 0)) throw new InvalidActorOption("defaultAskTimeoutMs", `must be > 0, got ${defaultAskTimeoutMs}`);
    requireInteger("eventBufferSize", eventBufferSize, 0);
    requireInteger("throughput", throughput, 1);
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.events = new EventStream(eventBufferSize);
    this.#env = {
      clock: this.clock,
      events: this.events,
      random: options.random ?? Math.random,
      defaultMailboxCapacity,
      defaultAskTimeoutMs,
      throughput,
      live: this.#live,
    };
    this.#root = new ActorCell<never, never>(this.#env, undefined, "user", "/user", () => ({ receive: () => undefined as never }), 1, options.supervisor ?? defaultStrategy);
    this.#root.startGuardian();
  }

  /** Creates a top-level actor at "/user/<name>". Throws ActorNameTaken, InvalidActorName, or ActorStopped after shutdown began. */
  spawn<M, R = unknown>(name: string, factory: ActorFactory<M, R>, options?: SpawnOptions): ActorRef<M, R> {
    return this.#root.spawn(name, factory, options);
  }

  child<M = unknown>(name: string): ActorRef<M> | undefined {
    return this.#root.child<M>(name);
  }

  children(): ActorRef<unknown>[] {
    return this.#root.children();
  }

  /**
   * Stops a top-level actor and its subtree. With `timeoutMs` (on the system clock), whatever has
   * not stopped gracefully by then is aborted: in-flight messages are abandoned, postStop skipped.
   */
  stop(name: string, options: { drain?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const child = this.#root.childCell(name);
    if (child === undefined) return Promise.resolve();
    return this.#withDeadline(child.stop(options.drain ?? false), options.timeoutMs, () => child.abort());
  }

  /** One row per live actor, in creation order. */
  stats(): ActorStats[] {
    const out: ActorStats[] = [];
    for (const cell of this.#live) out.push(cell.stats());
    return out;
  }

  actorCount(): number {
    return this.#live.size;
  }

  /** Up to `limit` most recent events, oldest first. */
  recentEvents(limit?: number): RuntimeEvent[] {
    return this.events.recent(limit);
  }

  get state(): LifecycleState {
    return this.#lifecycle;
  }

  /**
   * Stops every actor: top-level actors one by one, newest first; each finishes (and with `drain`,
   * empties) its mailbox, then stops its own children the same way, then runs postStop. Timers die
   * with their actors. With `timeoutMs`, actors still running at the deadline are aborted.
   */
  shutdown(options: { drain?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#shutdown === undefined) {
      this.#lifecycle = "stopping";
      const root = this.#root;
      this.#shutdown = this.#withDeadline(root.stop(options.drain ?? true), options.timeoutMs, () => root.abort()).then(() => {
        this.#lifecycle = "stopped";
        this.events.emit({ type: "log", path: "/user", at: this.clock.now(), level: "info", message: `actor system ${this.name} stopped` });
      });
    }
    return this.#shutdown;
  }

  #withDeadline(stopped: Promise<void>, timeoutMs: number | undefined, abort: () => void): Promise<void> {
    if (timeoutMs === undefined) return stopped;
    if (!(timeoutMs >= 0)) return Promise.reject(new InvalidActorOption("timeoutMs", `must be >= 0, got ${timeoutMs}`));
    const deadline = this.clock.setTimeout(abort, timeoutMs);
    return stopped.finally(() => deadline.cancel());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ drain: true });
  }
}

function requireInteger(option: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new InvalidActorOption(option, `must be an integer >= ${min}, got ${value}`);
}
