/**
 * The runtime shell around one actor: its mailbox, the loop that hands it one message at a time,
 * its lifecycle (an explicit state union) and the supervision of its children.
 */
import type { Clock, TimerHandle } from "../clock.js";
import { type RuntimeEnv, isPromiseLike } from "./env.js";
import { ActorNameTaken, ActorStopped, InvalidActorName, InvalidActorOption, RestartBudgetExhausted, describeError } from "./errors.js";
import { Mailbox, type PendingReply } from "./mailbox.js";
import { LocalActorRef } from "./ref.js";
import { type RestartHistory, defaultStrategy, emptyRestartHistory, superviseFailure } from "./supervision.js";
import { ActorTimers } from "./timers.js";
import type { Actor, ActorContext, ActorFactory, ActorPath, ActorRef, ActorStats, Directive, RuntimeEvent, SpawnOptions, SupervisorStrategy } from "./types.js";
import { assertNever } from "../assert-never.js";

/**
 * `suspended`: the instance failed and waits for its parent's decision; it keeps taking messages
 * but handles none. `restarting`: no instance, a new one comes after the backoff delay.
 */
type CellState = "starting" | "running" | "suspended" | "restarting" | "stopping" | "stopped";

// Cells of any message type live together in one tree.
type AnyCell = ActorCell<any, any>;

const DONE: Promise<void> = Promise.resolve();

export class ActorCell<M, R = unknown> implements ActorContext<M> {
  readonly path: ActorPath;
  readonly name: string;
  readonly self: LocalActorRef<M, R>;
  readonly clock: Clock;
  readonly timers: ActorTimers<M>;
  /** Bookkeeping of the parent's strategy about this child. */
  restartHistory: RestartHistory = emptyRestartHistory;

  readonly #env: RuntimeEnv;
  readonly #parent: AnyCell | undefined;
  readonly #factory: ActorFactory<M, R>;
  readonly #mailbox: Mailbox<M>;
  readonly #strategy: SupervisorStrategy;
  readonly #children = new Map<string, AnyCell>();
  #instance: Actor<M, R> | undefined = undefined;
  #state: CellState = "starting";
  /** Whether the instance may handle messages (exists and its preStart settled). */
  #ready = false;
  /** A message or preStart is in flight. */
  #busy = false;
  #scheduled = false;
  #budget = 0;
  #drain = false;
  #finishing = false;
  /** A child's escalated failure that arrived while a message was in flight. */
  #pendingFailure: { error: unknown } | undefined = undefined;
  /** This child escalated; it stays suspended until its parent's own fate is decided. */
  #awaitingParent = false;
  #restartTimer: TimerHandle | undefined = undefined;
  #incarnation = 0;
  #stopPromise: Promise<void> | undefined = undefined;
  #resolveStopped: () => void = () => {};
  #currentReply: PendingReply | undefined = undefined;
  #processed = 0;
  #restarts = 0;

  constructor(env: RuntimeEnv, parent: AnyCell | undefined, name: string, path: ActorPath, factory: ActorFactory<M, R>, mailboxCapacity: number, strategy: SupervisorStrategy) {
    this.#env = env;
    this.#parent = parent;
    this.name = name;
    this.path = path;
    this.clock = env.clock;
    this.#factory = factory;
    this.#strategy = strategy;
    this.#mailbox = new Mailbox<M>(mailboxCapacity);
    this.timers = new ActorTimers<M>(env.clock, (message, key) => this.#deliverTimer(message, key));
    this.self = new LocalActorRef<M, R>(this);
  }

  /** Creates the first instance on a later microtask, so a spawn never runs user code inside its caller. */
  start(): void {
    queueMicrotask(() => {
      if (this.#state === "starting" && this.#instance === undefined && !this.#busy) this.#startInstance();
    });
  }

  /** Starts the root guardian at once: it has no behaviour of its own. */
  startGuardian(): void {
    this.#instance = { receive: () => undefined as R };
    this.#ready = true;
    this.#state = "running";
  }

  // ---- sending (called by LocalActorRef; the hot path) ----

  get isAlive(): boolean {
    return this.#state !== "stopping" && this.#state !== "stopped";
  }

  get mailboxDepth(): number {
    return this.#mailbox.length;
  }

  get defaultAskTimeoutMs(): number {
    return this.#env.defaultAskTimeoutMs;
  }

  /** Enqueues if there is room right now; false when full, when others wait, or when stopping. */
  offer(message: M, reply: PendingReply | undefined): boolean {
    const mailbox = this.#mailbox;
    if (mailbox.mustWait || !this.isAlive) return false;
    mailbox.push(message, reply);
    if (!this.#busy && !this.#scheduled && this.#state === "running") {
      this.#scheduled = true;
      queueMicrotask(this.#runTurn);
    }
    return true;
  }

  /** Slow path of tell/ask: queue the sender until the actor consumes (FIFO among senders). */
  waitForRoom(message: M, reply?: PendingReply): Promise<void> {
    if (!this.isAlive) {
      const error = new ActorStopped(this.path);
      if (reply === undefined) return Promise.reject(error);
      // An ask reports through its reply; the returned promise is ignored, so it must not reject.
      reply.reject(error);
      return DONE;
    }
    if (reply !== undefined) {
      this.#mailbox.waiting.push({ message, reply, admitted: undefined, refused: undefined });
      return DONE;
    }
    return new Promise<void>((admitted, refused) => this.#mailbox.waiting.push({ message, reply, admitted, refused }));
  }

  // ---- the message loop ----

  readonly #runTurn = (): void => {
    this.#scheduled = false;
    this.#budget = this.#env.throughput;
    this.#processBatch();
  };

  #canHandle(): boolean {
    return this.#ready && (this.#state === "running" || (this.#state === "stopping" && this.#drain));
  }

  #processBatch(): void {
    const mailbox = this.#mailbox;
    for (;;) {
      const pending = this.#pendingFailure;
      if (pending !== undefined) {
        this.#pendingFailure = undefined;
        if (this.#state === "running") return this.#suspend(pending.error);
      }
      if (mailbox.length === 0 || !this.#canHandle()) break;
      if (this.#budget-- <= 0) {
        // Yield to I/O and other actors' turns; setImmediate runs after pending I/O callbacks.
        this.#scheduled = true;
        setImmediate(this.#runTurn);
        return;
      }
      const message = mailbox.shift();
      const reply = mailbox.shiftedReply;
      mailbox.admitWaiting();
      this.#busy = true;
      let result: R | Promise<R>;
      try {
        result = this.#instance!.receive(message, this);
      } catch (error) {
        this.#busy = false;
        this.#processed++;
        return this.#handlerFailed(error, reply);
      }
      if (isPromiseLike(result)) {
        this.#currentReply = reply;
        // A foreign thenable might call back twice; a native promise settles once.
        (result instanceof Promise ? result : Promise.resolve(result)).then(this.#onAsyncValue, this.#onAsyncError);
        return;
      }
      this.#busy = false;
      this.#processed++;
      if (reply !== undefined) reply.resolve(result);
    }
    if (this.#state === "stopping") void this.#finishStop();
  }

  readonly #onAsyncValue = (value: unknown): void => {
    const reply = this.#currentReply;
    this.#currentReply = undefined;
    this.#busy = false;
    this.#processed++;
    reply?.resolve(value);
    this.#processBatch();
  };

  readonly #onAsyncError = (error: unknown): void => {
    const reply = this.#currentReply;
    this.#currentReply = undefined;
    this.#busy = false;
    this.#processed++;
    this.#handlerFailed(error, reply);
  };

  /** The failing message is dropped and its ask rejected with the handler's error. */
  #handlerFailed(error: unknown, reply: PendingReply | undefined): void {
    reply?.reject(error);
    this.#failedIn("receive", error);
  }

  /** `receive` or `preStart` threw: suspend for the parent to decide, unless the actor is already stopping. */
  #failedIn(hook: "receive" | "preStart", error: unknown): void {
    if (this.#state === "stopped") return; // aborted while the handler or preStart ran
    if (this.#state === "stopping") {
      // Already on the way out: record it and keep draining; there is nothing left to supervise.
      this.#emitFailed(error, hook);
      this.#pump();
      return;
    }
    this.#pendingFailure = undefined;
    this.#suspend(error);
  }

  /** Re-checks what to do after a state change (not the hot path). */
  #pump(): void {
    if (this.#busy || this.#scheduled) return;
    if (this.#pendingFailure !== undefined || (this.#mailbox.length > 0 && this.#canHandle())) {
      this.#scheduled = true;
      queueMicrotask(this.#runTurn);
      return;
    }
    if (this.#state === "stopping") void this.#finishStop();
  }

  // ---- lifecycle of the instance ----

  #startInstance(): void {
    this.#state = "starting";
    this.#busy = true;
    let result: void | Promise<void>;
    try {
      const instance = this.#factory();
      this.#instance = instance;
      result = instance.preStart?.(this);
    } catch (error) {
      return this.#startFailed(error);
    }
    if (isPromiseLike(result)) (result instanceof Promise ? result : Promise.resolve(result)).then(this.#started, this.#startFailed);
    else this.#started();
  }

  readonly #started = (): void => {
    this.#busy = false;
    if (this.#state === "stopped") return; // aborted during preStart
    this.#ready = true;
    if (this.#state === "starting") {
      this.#state = "running";
      this.#emit({ type: "actor-started", path: this.path, at: this.clock.now() });
    }
    this.#pump();
  };

  readonly #startFailed = (error: unknown): void => {
    this.#busy = false;
    this.#failedIn("preStart", error);
  };

  #suspend(error: unknown): void {
    this.#state = "suspended";
    this.#emitFailed(error);
    if (this.#parent !== undefined) this.#parent.#childFailed(this, error);
  }

  #resume(): void {
    if (this.#state !== "suspended") return;
    this.#awaitingParent = false;
    if (this.#instance === undefined) {
      // Its factory threw and it escalated; our parent resumed us, so try again — on a later
      // macrotask, so a factory that always throws cannot spin without letting I/O run.
      this.#state = "starting";
      setImmediate(() => {
        if (this.#state === "starting" && this.#instance === undefined && !this.#busy) this.#startInstance();
      });
      return;
    }
    this.#state = "running";
    this.#ready = true;
    // Children that escalated to us share our fate: we go on, so do they.
    for (const child of this.#children.values()) if (child.#awaitingParent) child.#resume();
    this.#pump();
  }

  #restart(error: unknown, delayMs: number): void {
    this.#state = "restarting";
    this.#ready = false;
    this.#awaitingParent = false;
    this.#restarts++;
    this.timers.cancelAll();
    const old = this.#instance;
    this.#instance = undefined;
    const incarnation = ++this.#incarnation;
    let delayDone = false;
    let cleanupDone = false;
    const proceed = (): void => {
      if (delayDone && cleanupDone && this.#state === "restarting" && this.#incarnation === incarnation) this.#startInstance();
    };
    this.#restartTimer = this.clock.setTimeout(() => {
      this.#restartTimer = undefined;
      delayDone = true;
      proceed();
    }, delayMs);
    void (async () => {
      if (old?.preRestart !== undefined) await this.#runHook("preRestart", () => old.preRestart!(error, this));
      // The children belonged to the failed instance; the new one's preStart makes its own.
      await this.#stopChildren(false);
      cleanupDone = true;
      proceed();
    })();
  }

  /** Stops after the message in flight; with `drain`, handles everything already queued first. Idempotent. */
  stop(drain: boolean): Promise<void> {
    if (this.#stopPromise !== undefined) {
      if (!drain && this.#drain) {
        this.#drain = false;
        this.#mailbox.dropAll(new ActorStopped(this.path));
      }
      return this.#stopPromise;
    }
    const previous = this.#state;
    this.#stopPromise = new Promise<void>((resolve) => (this.#resolveStopped = resolve));
    this.#state = "stopping";
    this.#pendingFailure = undefined;
    // Only a healthy instance drains; a failed or absent one cannot handle the rest.
    this.#drain = drain && (previous === "running" || previous === "starting");
    this.timers.cancelAll();
    this.#restartTimer?.cancel();
    this.#restartTimer = undefined;
    if (!this.#drain) this.#mailbox.dropAll(new ActorStopped(this.path));
    this.#pump();
    return this.#stopPromise;
  }

  async #finishStop(): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#mailbox.dropAll(new ActorStopped(this.path));
    await this.#stopChildren(this.#drain);
    const instance = this.#instance;
    if (instance?.postStop !== undefined) await this.#runHook("postStop", () => instance.postStop!(this));
    // An abort may have finished the job while we awaited.
    if (this.#state !== "stopped") this.#markStopped();
  }

  /**
   * Stops this subtree at once, without waiting for messages in flight or running postStop:
   * the escape hatch when a graceful stop overran its deadline. Children go first, newest first.
   */
  abort(): void {
    if (this.#state === "stopped") return;
    for (const child of [...this.#children.values()].reverse()) child.abort();
    if (this.#stopPromise === undefined) this.#stopPromise = new Promise<void>((resolve) => (this.#resolveStopped = resolve));
    this.#finishing = true;
    this.#restartTimer?.cancel();
    this.#restartTimer = undefined;
    const error = new ActorStopped(this.path);
    this.#mailbox.dropAll(error);
    this.#currentReply?.reject(error);
    this.#emit({ type: "log", path: this.path, at: this.clock.now(), level: "warn", message: "stopped without finishing: stop deadline passed", fields: { busy: this.#busy } });
    this.#markStopped();
  }

  #markStopped(): void {
    this.#instance = undefined;
    this.#ready = false;
    this.#state = "stopped";
    this.#pendingFailure = undefined;
    this.timers.cancelAll();
    if (this.#parent !== undefined) this.#parent.#removeChild(this);
    this.#env.live.delete(this);
    this.#emit({ type: "actor-stopped", path: this.path, at: this.clock.now() });
    this.#resolveStopped();
  }

  /** Children stop one after another, newest first (the reverse of creation). */
  async #stopChildren(drain: boolean): Promise<void> {
    const children = [...this.#children.values()].reverse();
    for (const child of children) await child.stop(drain);
  }

  #removeChild(child: AnyCell): void {
    if (this.#children.get(child.name) === child) this.#children.delete(child.name);
  }

  /** preRestart/postStop failures are contained: reported as events, never supervised. */
  async #runHook(hook: string, call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.#emitFailed(error, hook);
    }
  }

  // ---- supervision of children ----

  #childFailed(child: AnyCell, error: unknown): void {
    if (this.#state === "stopping" || this.#state === "stopped" || this.#state === "restarting") {
      void child.stop(false);
      return;
    }
    const now = this.clock.now();
    const outcome = superviseFailure(this.#strategy, error, { history: child.restartHistory, hasInstance: child.#instance !== undefined }, now, this.#env.random);
    switch (outcome.kind) {
      case "resume":
        this.#emitDecision(child, "resume", error);
        child.#resume();
        return;
      case "stop":
        this.#emitDecision(child, "stop", error);
        void child.stop(false);
        return;
      case "restart":
        child.restartHistory = outcome.history;
        this.#emitDecision(child, "restart", error, outcome.delayMs, outcome.restartsInWindow);
        child.#restart(error, outcome.delayMs);
        return;
      case "budget-exhausted": {
        child.restartHistory = outcome.history;
        const withinMs = this.#strategy.withinMs;
        this.#emit({ type: "restart-budget-exhausted", path: this.path, child: child.path, at: now, restarts: outcome.restartsInWindow, withinMs });
        void child.stop(false);
        this.#escalate(new RestartBudgetExhausted(child.path, outcome.restartsInWindow, withinMs, { cause: error }), child);
        return;
      }
      case "escalate":
        this.#emitDecision(child, "escalate", error);
        child.#awaitingParent = true;
        this.#escalate(error, child);
        return;
      default:
        assertNever(outcome);
    }
  }

  /** This actor fails because of a child; its own parent decides. The root guardian stops the top-level actor instead. */
  #escalate(error: unknown, child: AnyCell): void {
    if (this.#parent === undefined) {
      this.#emit({ type: "log", path: this.path, at: this.clock.now(), level: "error", message: `failure of ${child.path} escalated to the root guardian: stopping it`, fields: { error: describeError(error) } });
      void child.stop(false);
      return;
    }
    switch (this.#state) {
      case "running":
      case "starting":
        // Never interrupt a message or preStart in flight: fail right after it.
        if (this.#busy) this.#pendingFailure = { error };
        else this.#suspend(error);
        return;
      case "suspended":
        return;
      case "restarting":
      case "stopping":
      case "stopped":
        void child.stop(false);
        return;
      default:
        assertNever(this.#state);
    }
  }

  // ---- ActorContext ----

  spawn<C, CR = unknown>(name: string, actor: ActorFactory<C, CR>, options: SpawnOptions = {}): ActorRef<C, CR> {
    if (this.#state !== "running" && this.#state !== "starting") throw new ActorStopped(this.path);
    if (name.length === 0 || name.includes("/")) throw new InvalidActorName(name);
    if (this.#children.has(name)) throw new ActorNameTaken(this.path, name);
    const capacity = options.mailboxCapacity ?? this.#env.defaultMailboxCapacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidActorOption("mailboxCapacity", `must be an integer >= 1, got ${capacity}`);
    const child = new ActorCell<C, CR>(this.#env, this, name, `${this.path}/${name}`, actor, capacity, options.supervisor ?? defaultStrategy);
    this.#children.set(name, child);
    this.#env.live.add(child);
    child.start();
    return child.self;
  }

  /** The cell behind a child's name (for the system's own stop with a deadline). */
  childCell(name: string): ActorCell<unknown, unknown> | undefined {
    return this.#children.get(name);
  }

  child<C = unknown>(name: string): ActorRef<C> | undefined {
    return this.#children.get(name)?.self as ActorRef<C> | undefined;
  }

  children(): ActorRef<unknown>[] {
    return [...this.#children.values()].map((c) => c.self as ActorRef<unknown>);
  }

  stopChild(name: string, options?: { drain?: boolean }): Promise<void> {
    const child = this.#children.get(name);
    return child === undefined ? DONE : child.stop(options?.drain ?? false);
  }

  emit(event: RuntimeEvent): void {
    this.#env.events.emit(event);
  }

  // ---- observation ----

  stats(): ActorStats {
    return { path: this.path, mailboxDepth: this.#mailbox.length, restarts: this.#restarts, processed: this.#processed, state: publicState(this.#state) };
  }

  #deliverTimer(message: M, key: string): void {
    if (this.offer(message, undefined) || !this.isAlive) return;
    // A timer must not pile up blocked sends behind a full mailbox: this tick is dropped.
    this.#emit({ type: "log", path: this.path, at: this.clock.now(), level: "warn", message: `timer "${key}" dropped a message: mailbox full`, fields: { capacity: this.#mailbox.capacity } });
  }

  #emit(event: RuntimeEvent): void {
    // The root guardian is plumbing, not an actor anyone watches.
    if (this.#parent === undefined && (event.type === "actor-started" || event.type === "actor-stopped" || event.type === "actor-failed")) return;
    this.#env.events.emit(event);
  }

  #emitFailed(error: unknown, hook?: string): void {
    const text = describeError(error);
    this.#emit({ type: "actor-failed", path: this.path, at: this.clock.now(), error: hook === undefined ? text : `${hook}: ${text}` });
  }

  #emitDecision(child: AnyCell, directive: Directive, error: unknown, restartInMs?: number, restartCount?: number): void {
    const event: RuntimeEvent = { type: "supervisor-decision", path: this.path, child: child.path, at: this.clock.now(), directive, error: describeError(error) };
    if (restartInMs !== undefined) event.restartInMs = restartInMs;
    if (restartCount !== undefined) event.restartCount = restartCount;
    this.#emit(event);
  }
}

/** A suspended actor awaits its supervisor, which is closest to "restarting" among the public states. */
function publicState(state: CellState): ActorStats["state"] {
  return state === "suspended" ? "restarting" : state;
}
