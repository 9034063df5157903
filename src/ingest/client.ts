/**
 * Binance trade-stream client. Streams are split over connections of at most 1024; each
 * connection "slot" keeps one active socket and, while it is being renewed (24 h lifetime,
 * serverShutdown), a replacement: the replacement's frames are held back until it has delivered
 * and an overlap delay has passed, then the old socket is closed and the held frames are
 * released in order. Duplicates from the overlap are removed downstream by trade-id de-dup.
 * A socket silent for `silenceTimeoutMs` (no frame, no ping) is cut; reconnects back off
 * exponentially with jitter and respect Binance's connection-attempt limit.
 */
import { backoffDelay, type BackoffPolicy } from "../runtime/backoff.js";
import { systemClock, type Clock, type TimerHandle } from "../runtime/clock.js";
import type { ClientOptions, ClientStatus, TradeSink } from "./client-types.js";
import type { Trade } from "../market/trade.js";
import { defaultBackoff } from "./backoff.js";
import { StreamConnection, type ConnectionHandlers } from "./connection.js";
import { classifyConnectionFailure, connectionProblemMessage, nextHealth, urlHost, type ConnectionHealth, type HealthEvent } from "./connection-health.js";
import { defaultFrameParser, type FrameParser } from "./frame.js";
import { consoleLogger, type IngestLogger } from "./log.js";
import { SlidingWindowLimiter } from "./rate-limiter.js";
import { MAX_STREAMS_PER_CONNECTION, chunk, combinedStreamUrl, tradeStream } from "./streams.js";
import { assertNever } from "../runtime/assert-never.js";

export type { ClientOptions, ClientStatus, TradeSink } from "./client-types.js";

type Held = { kind: "trade"; trade: Trade } | { kind: "invalid"; raw: string; reason: string; message: string };

interface Slot {
  index: number;
  streams: Set<string>;
  active: StreamConnection | null;
  replacement: StreamConnection | null;
  held: Held[];
  replacementDelivered: boolean;
  attempt: number;
  timers: { reconnect: TimerHandle | null; renew: TimerHandle | null; switch: TimerHandle | null };
}

export class BinanceStreamClient {
  #o: Required<Omit<ClientOptions, "source" | "symbols" | "sink" | "parse" | "clock" | "random" | "log" | "backoff" | "baseUrl">>;
  #base: string;
  #sink: TradeSink;
  #source: string | undefined;
  #parse: FrameParser;
  #clock: Clock;
  #random: () => number;
  #log: IngestLogger;
  #backoff: BackoffPolicy;
  #slots: Slot[] = [];
  #owner = new Map<StreamConnection, Slot>();
  #connectLimiter: SlidingWindowLimiter;
  #seq = 0;
  #state: ClientStatus["state"] = "idle";
  #paused = false;
  #watchdog: TimerHandle | null = null;
  #handlers: ConnectionHandlers;
  #health: ConnectionHealth = { state: "starting" };
  #st = { frames: 0, trades: 0, invalid: 0, ignored: 0, reconnects: 0, switches: 0, silentSockets: 0, serverShutdowns: 0 };

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl;
    this.#sink = options.sink;
    this.#source = options.source;
    this.#parse = options.parse ?? defaultFrameParser;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? consoleLogger;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#o = {
      maxStreamsPerConnection: options.maxStreamsPerConnection ?? MAX_STREAMS_PER_CONNECTION,
      maxStreamsInUrl: options.maxStreamsInUrl ?? 200,
      controlMessagesPerSecond: options.controlMessagesPerSecond ?? 4,
      controlWindowMarginMs: options.controlWindowMarginMs ?? 250,
      maxParamsPerMessage: options.maxParamsPerMessage ?? 200,
      silenceTimeoutMs: options.silenceTimeoutMs ?? 50_000,
      connectionLifetimeMs: options.connectionLifetimeMs ?? 24 * 3600_000,
      renewBeforeMs: options.renewBeforeMs ?? 10 * 60_000,
      overlapMs: options.overlapMs ?? 1000,
      switchTimeoutMs: options.switchTimeoutMs ?? 10_000,
      connectionsPer5Min: options.connectionsPer5Min ?? 300,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    };
    for (const [k, v] of Object.entries(this.#o)) if (!(v > 0)) throw new RangeError(`BinanceStreamClient: ${k} must be > 0, got ${v}`);
    if (this.#o.maxStreamsPerConnection > MAX_STREAMS_PER_CONNECTION) throw new RangeError(`maxStreamsPerConnection must be <= ${MAX_STREAMS_PER_CONNECTION}`);
    this.#connectLimiter = new SlidingWindowLimiter(this.#o.connectionsPer5Min, 300_000);
    this.#handlers = { open: (c) => this.#onOpen(c), frame: (c, t) => this.#onFrame(c, t), closed: (c, code, r) => this.#onClosed(c, code, r) };
    const streams = [...new Set(options.symbols.map(tradeStream))];
    for (const group of chunk(streams, this.#o.maxStreamsPerConnection)) this.#newSlot(group);
  }

  start(): void {
    if (this.#state !== "idle") return;
    this.#state = "running";
    for (const slot of this.#slots) this.#connect(slot, "active");
    this.#armWatchdog();
  }

  stop(): void {
    this.#state = "stopped";
    this.#watchdog?.cancel();
    for (const slot of this.#slots) {
      for (const t of Object.values(slot.timers)) t?.cancel();
      slot.active?.close("client stopped");
      slot.replacement?.close("client stopped");
    }
    this.#owner.clear();
  }

  /** Adds trade streams at runtime (SUBSCRIBE, rate-limited); resolves when the server acknowledged. */
  async subscribe(symbols: readonly string[]): Promise<void> {
    const fresh = [...new Set(symbols.map(tradeStream))].filter((s) => !this.#slots.some((sl) => sl.streams.has(s)));
    const touched = new Set<Slot>();
    const newSlots: Slot[] = [];
    for (const stream of fresh) {
      let slot = this.#slots.find((s) => s.streams.size < this.#o.maxStreamsPerConnection);
      if (slot === undefined) {
        slot = this.#newSlot([]);
        newSlots.push(slot);
      }
      slot.streams.add(stream);
      touched.add(slot);
    }
    for (const slot of newSlots) if (this.#state === "running") this.#connect(slot, "active");
    await Promise.all([...touched].filter((s) => !newSlots.includes(s)).map((s) => this.#reconcileSlot(s)));
  }

  /**
   * Resolves true once every one of these symbols' streams is in effect on an open connection (its
   * trades reach the sink from now on), false if that takes longer than `timeoutMs`.
   */
  async whenLive(symbols: readonly string[], timeoutMs: number): Promise<boolean> {
    const streams = [...new Set(symbols.map(tradeStream))];
    const live = () => streams.every((s) => this.#streamLive(s));
    const deadline = this.#clock.now() + timeoutMs;
    while (!live()) {
      if (this.#state !== "running" || this.#clock.now() >= deadline) return false;
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, 50));
    }
    return true;
  }

  /** True while this symbol's stream is in effect on an open connection. */
  isLive(symbol: string): boolean {
    return this.#state === "running" && this.#streamLive(tradeStream(symbol));
  }

  #streamLive(stream: string): boolean {
    const conn = this.#slots.find((sl) => sl.streams.has(stream))?.active;
    return conn != null && conn.state === "open" && conn.subscribed.has(stream) && !conn.controlPending;
  }

  /** Removes trade streams at runtime (UNSUBSCRIBE); an emptied connection is closed. */
  async unsubscribe(symbols: readonly string[]): Promise<void> {
    const gone = new Set(symbols.map(tradeStream));
    const work: Promise<unknown>[] = [];
    for (const slot of this.#slots) {
      const before = slot.streams.size;
      for (const s of gone) slot.streams.delete(s);
      if (slot.streams.size === before) continue;
      if (slot.streams.size === 0) {
        for (const t of Object.values(slot.timers)) t?.cancel();
        slot.active?.close("no streams left");
        slot.replacement?.close("no streams left");
        slot.active = slot.replacement = null;
      } else work.push(this.#reconcileSlot(slot));
    }
    this.#slots = this.#slots.filter((s) => s.streams.size > 0);
    await Promise.all(work);
  }

  /** Stops reading the sockets (backpressure from the log). Pings go unanswered while paused. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    for (const c of this.#owner.keys()) c.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    for (const c of this.#owner.keys()) c.resume();
  }

  /** Test and admin hook: renew every connection now, with overlap. */
  renewAll(reason = "admin"): void {
    for (const slot of this.#slots) this.#replace(slot, reason);
  }

  status(): ClientStatus {
    const connections: ClientStatus["connections"] = [];
    for (const slot of this.#slots) {
      for (const [role, c] of [["active", slot.active], ["replacement", slot.replacement]] as const) {
        if (c) connections.push({ slot: slot.index, id: c.id, role, state: c.state, streams: c.subscribed.size, framesReceived: c.framesReceived, pingsReceived: c.pingsReceived, openedAt: c.openedAt });
      }
    }
    return { state: this.#state, paused: this.#paused, ...this.#st, health: this.#health, connections };
  }

  // ---- connections -----------------------------------------------------------------------

  #newSlot(streams: string[]): Slot {
    const slot: Slot = { index: this.#slots.length, streams: new Set(streams), active: null, replacement: null, held: [], replacementDelivered: false, attempt: 0, timers: { reconnect: null, renew: null, switch: null } };
    this.#slots.push(slot);
    return slot;
  }

  #connect(slot: Slot, role: "active" | "replacement"): void {
    if (this.#state !== "running" || slot.streams.size === 0) return;
    const now = this.#clock.now();
    if (!this.#connectLimiter.tryTake(now)) {
      const wait = this.#connectLimiter.waitMs(now);
      this.#log.warn("connection attempt limit reached; waiting", { waitMs: wait });
      slot.timers.reconnect = this.#clock.setTimeout(() => this.#connect(slot, role), wait);
      return;
    }
    const streams = [...slot.streams];
    const inUrl = streams.slice(0, this.#o.maxStreamsInUrl);
    const conn = new StreamConnection(++this.#seq, combinedStreamUrl(this.#base, inUrl), inUrl, this.#handlers, {
      clock: this.#clock,
      controlPerSecond: this.#o.controlMessagesPerSecond,
      controlWindowMarginMs: this.#o.controlWindowMarginMs,
      maxParamsPerMessage: this.#o.maxParamsPerMessage,
      handshakeTimeoutMs: this.#o.handshakeTimeoutMs,
    });
    this.#owner.set(conn, slot);
    if (role === "active") slot.active = conn;
    else {
      slot.replacement = conn;
      slot.held = [];
      slot.replacementDelivered = false;
      slot.timers.switch?.cancel();
      slot.timers.switch = this.#clock.setTimeout(() => this.#switchTimeout(slot, conn), this.#o.switchTimeoutMs);
    }
  }

  #onOpen(conn: StreamConnection): void {
    const slot = this.#owner.get(conn);
    if (slot === undefined) return;
    this.#noteHealth({ type: "opened" });
    if (this.#paused) conn.pause();
    void this.#reconcile(slot, conn).catch(() => {});
    if (conn === slot.active) this.#armRenew(slot, conn);
  }

  #armRenew(slot: Slot, conn: StreamConnection): void {
    slot.timers.renew?.cancel();
    const at = Math.max(1, this.#o.connectionLifetimeMs - this.#o.renewBeforeMs);
    slot.timers.renew = this.#clock.setTimeout(() => {
      if (slot.active === conn) this.#replace(slot, "connection lifetime");
    }, at);
  }

  /** Makes the connection's subscriptions equal the slot's streams. */
  async #reconcile(slot: Slot, conn: StreamConnection): Promise<void> {
    if (conn.state === "closed") return;
    const add = [...slot.streams].filter((s) => !conn.subscribed.has(s));
    const remove = [...conn.subscribed].filter((s) => !slot.streams.has(s));
    const work: Promise<unknown>[] = [];
    if (add.length > 0) work.push(conn.request("SUBSCRIBE", add));
    if (remove.length > 0) work.push(conn.request("UNSUBSCRIBE", remove));
    await Promise.all(work);
  }

  async #reconcileSlot(slot: Slot): Promise<void> {
    // A connection still connecting reconciles when it opens; a closed one is replaced with the new set.
    const conns = [slot.active, slot.replacement].filter((c): c is StreamConnection => c !== null && c.state === "open");
    await Promise.all(conns.map((c) => this.#reconcile(slot, c)));
  }

  /** Opens a replacement next to the active connection (no-op if one is already on its way). */
  #replace(slot: Slot, reason: string): void {
    if (this.#state !== "running" || slot.replacement !== null || slot.active === null) return;
    this.#log.info("renewing connection with overlap", { slot: slot.index, reason });
    this.#connect(slot, "replacement");
  }

  #switchTimeout(slot: Slot, conn: StreamConnection): void {
    if (slot.replacement !== conn) return;
    if (conn.state === "open") this.#promote(slot);
    else {
      // The replacement never came up; the old one still works, so try again later.
      slot.replacement = null;
      this.#owner.delete(conn);
      conn.terminate();
      slot.timers.reconnect = this.#clock.setTimeout(() => this.#replace(slot, "retry"), backoffDelay(slot.attempt++, this.#backoff, this.#random));
    }
  }

  /** The replacement becomes active: old closed, held frames released in order. */
  #promote(slot: Slot): void {
    const next = slot.replacement;
    if (next === null) return;
    slot.timers.switch?.cancel();
    slot.timers.switch = null;
    const old = slot.active;
    slot.active = next;
    slot.replacement = null;
    const held = slot.held;
    slot.held = [];
    this.#st.switches++;
    if (old !== null) {
      this.#owner.delete(old);
      old.close("replaced");
    }
    for (const h of held) {
      if (h.kind === "trade") this.#deliver(h.trade);
      else this.#sink.invalid(h.raw, h.reason, h.message);
    }
    if (next.state === "open") this.#armRenew(slot, next);
  }

  #onClosed(conn: StreamConnection, code: number, reason: string): void {
    const slot = this.#owner.get(conn);
    this.#owner.delete(conn);
    if (slot === undefined || this.#state !== "running") return;
    if (conn === slot.active) {
      slot.active = null;
      this.#noteFailure(conn, code, reason);
      if (slot.replacement !== null) this.#promote(slot);
      else this.#scheduleReconnect(slot);
    } else if (conn === slot.replacement) {
      slot.replacement = null;
      this.#noteFailure(conn, code, reason);
      slot.held = [];
      slot.timers.switch?.cancel();
      if (slot.active !== null) slot.timers.reconnect = this.#clock.setTimeout(() => this.#replace(slot, "retry"), backoffDelay(slot.attempt++, this.#backoff, this.#random));
      else this.#scheduleReconnect(slot);
    }
  }

  #noteFailure(conn: StreamConnection, code: number, reason: string): void {
    const failure = classifyConnectionFailure({ error: conn.lastError, closeCode: code, closeReason: reason, opened: conn.openedAt !== null, localReason: conn.localReason });
    this.#noteHealth({ type: "failed", failure });
  }

  /** Logs only state changes: failing (or failing differently) at WARN, connected again at INFO. */
  #noteHealth(event: HealthEvent): void {
    const { health, log } = nextHealth(this.#health, event);
    this.#health = health;
    if (log?.level === "warn") this.#log.warn(connectionProblemMessage(this.#base, log.failure), { host: urlHost(this.#base), cause: log.failure.kind });
    else if (log?.level === "info") this.#log.info(`connected again after ${log.failedAttempts} failed attempts`, { host: urlHost(this.#base) });
  }

  #scheduleReconnect(slot: Slot): void {
    slot.timers.renew?.cancel();
    slot.timers.reconnect?.cancel();
    const delay = backoffDelay(slot.attempt++, this.#backoff, this.#random);
    this.#st.reconnects++;
    slot.timers.reconnect = this.#clock.setTimeout(() => {
      if (slot.active === null && slot.streams.size > 0) this.#connect(slot, "active");
    }, delay);
  }

  #armWatchdog(): void {
    const every = Math.max(50, Math.floor(this.#o.silenceTimeoutMs / 4));
    this.#watchdog = this.#clock.setTimeout(() => {
      if (this.#state !== "running") return;
      const now = this.#clock.now();
      if (!this.#paused) {
        for (const conn of [...this.#owner.keys()]) {
          if (conn.state === "open" && now - conn.lastActivityAt > this.#o.silenceTimeoutMs) {
            this.#st.silentSockets++;
            this.#log.warn("socket silent; reconnecting", { id: conn.id, silentMs: now - conn.lastActivityAt });
            conn.terminate("silent");
          }
        }
      }
      this.#armWatchdog();
    }, every);
  }

  // ---- frames ----------------------------------------------------------------------------

  #onFrame(conn: StreamConnection, text: string): void {
    const slot = this.#owner.get(conn);
    if (slot === undefined || this.#state !== "running") return; // frames still buffered after stop()
    this.#st.frames++;
    const f = this.#parse(text, this.#clock.now());
    switch (f.kind) {
      case "trade":
        if (conn === slot.active) {
          slot.attempt = 0;
          this.#deliver(f.trade);
        } else this.#hold(slot, { kind: "trade", trade: f.trade });
        return;
      case "invalid":
        if (conn === slot.active) this.#sink.invalid(text, f.reason.code, f.reason.message);
        else this.#hold(slot, { kind: "invalid", raw: text, reason: f.reason.code, message: f.reason.message });
        this.#st.invalid++;
        return;
      case "ignored":
        this.#st.ignored++;
        return;
      case "control":
        if (f.control.type === "server-shutdown") {
          this.#st.serverShutdowns++;
          if (conn === slot.active) this.#replace(slot, "serverShutdown");
        } else conn.onControl(f.control);
        return;
      default:
        assertNever(f);
    }
  }

  #hold(slot: Slot, h: Held): void {
    slot.held.push(h);
    if (!slot.replacementDelivered) {
      slot.replacementDelivered = true;
      const conn = slot.replacement;
      slot.timers.switch?.cancel();
      slot.timers.switch = this.#clock.setTimeout(() => {
        if (slot.replacement === conn) this.#promote(slot);
      }, this.#o.overlapMs);
    }
  }

  #deliver(trade: Trade): void {
    this.#st.trades++;
    if (this.#source !== undefined) trade.source = this.#source;
    this.#sink.trade(trade);
  }
}
