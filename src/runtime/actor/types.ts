/**
 * The actor runtime's public surface. Implementations live beside this file; the cluster layer
 * (src/runtime/cluster) and every actor in src/actors code against these types only.
 */
import type { BackoffPolicy } from "../backoff.js";
import type { Clock } from "../clock.js";

/** Where an actor lives in the tree, e.g. "/user/ingest/binance-0". */
export type ActorPath = string;

export interface ActorRef<M, R = unknown> {
  readonly path: ActorPath;
  /** Enqueue a message. Resolves once enqueued; waits while the mailbox is full (backpressure). Rejects with ActorStopped if the actor is stopped. */
  tell(message: M): Promise<void>;
  /** Enqueue without waiting. Returns false when the mailbox is full or the actor stopped. */
  tryTell(message: M): boolean;
  /** Enqueue and resolve with the value the handler returned for this message; rejects with AskTimeout after timeoutMs (default from system options) or with the handler's error. */
  ask(message: M, options?: { timeoutMs?: number }): Promise<R>;
  /** Messages waiting in the mailbox (not counting the one being handled). */
  readonly mailboxDepth: number;
  readonly isAlive: boolean;
}

/** What a handler may do besides changing its own state. */
export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  readonly path: ActorPath;
  readonly clock: Clock;
  readonly timers: Timers<M>;
  /** Spawn a supervised child. Names are unique among siblings. */
  spawn<C, CR = unknown>(name: string, actor: ActorFactory<C, CR>, options?: SpawnOptions): ActorRef<C, CR>;
  child<C = unknown>(name: string): ActorRef<C> | undefined;
  children(): ActorRef<unknown>[];
  /** Stop a child (after its current message; its mailbox is drained first when drain=true). */
  stopChild(name: string, options?: { drain?: boolean }): Promise<void>;
  /** Publish a runtime event (admin tools and the dashboard see these). */
  emit(event: RuntimeEvent): void;
}

/** Timers owned by the actor: they die with it (and are reset on restart). */
export interface Timers<M> {
  startSingle(key: string, message: M, delayMs: number): void;
  startPeriodic(key: string, message: M, intervalMs: number): void;
  cancel(key: string): void;
  isActive(key: string): boolean;
}

/**
 * An actor's behaviour. `receive` handles one message at a time, in arrival order; its return value
 * answers `ask`. Throwing (or rejecting) is a failure that the parent's strategy decides about.
 */
export interface Actor<M, R = unknown> {
  preStart?(ctx: ActorContext<M>): void | Promise<void>;
  receive(message: M, ctx: ActorContext<M>): R | Promise<R>;
  /** Called before the failed instance is replaced by a fresh one from the factory. */
  preRestart?(error: unknown, ctx: ActorContext<M>): void | Promise<void>;
  postStop?(ctx: ActorContext<M>): void | Promise<void>;
}

/** A restart makes a fresh instance, so state never survives a failure by accident. */
export type ActorFactory<M, R = unknown> = () => Actor<M, R>;

export interface SpawnOptions {
  /** Mailbox capacity; a full mailbox makes `tell` wait. Default from the system options (1000). */
  mailboxCapacity?: number;
  /** How this actor supervises its own children. Default: restart with backoff, 10 restarts per minute. */
  supervisor?: SupervisorStrategy;
}

/** Supervision as data. */
export type Directive = "resume" | "restart" | "stop" | "escalate";

export interface SupervisorStrategy {
  /** Maps a child's failure to a directive. */
  decide(error: unknown): Directive;
  /** A restarted child beyond this budget is stopped and the failure escalates. */
  maxRestarts: number;
  withinMs: number;
  backoff: BackoffPolicy;
}

export type RuntimeEvent =
  | { type: "actor-started"; path: ActorPath; at: number }
  | { type: "actor-stopped"; path: ActorPath; at: number }
  | { type: "actor-failed"; path: ActorPath; at: number; error: string }
  | { type: "supervisor-decision"; path: ActorPath; child: ActorPath; at: number; directive: Directive; error: string; restartInMs?: number; restartCount?: number }
  | { type: "restart-budget-exhausted"; path: ActorPath; child: ActorPath; at: number; restarts: number; withinMs: number }
  | { type: "log"; path: ActorPath; at: number; level: "debug" | "info" | "warn" | "error"; message: string; fields?: Record<string, unknown> }
  | { type: "custom"; path: ActorPath; at: number; name: string; data: unknown };

export interface ActorStats {
  path: ActorPath;
  mailboxDepth: number;
  restarts: number;
  processed: number;
  state: "starting" | "running" | "restarting" | "stopping" | "stopped";
}
