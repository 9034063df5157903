/**
 * One WebSocket to a combined stream. Sends live control messages (SUBSCRIBE / UNSUBSCRIBE /
 * LIST_SUBSCRIPTIONS) through a sliding-window limiter, coalescing queued requests of the same
 * method into one message; answers pings (the `ws` package replies with a pong carrying the
 * ping's payload by itself: `autoPong` is on by default) and records activity for the watchdog.
 */
import WebSocket from "ws";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import type { BinanceControl } from "../market/binance.js";
import { ControlRequestFailed } from "./errors.js";
import { SlidingWindowLimiter } from "./rate-limiter.js";
import { chunk } from "./streams.js";

export type ControlMethod = "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS";

export interface ConnectionHandlers {
  open(conn: StreamConnection): void;
  frame(conn: StreamConnection, text: string): void;
  closed(conn: StreamConnection, code: number, reason: string): void;
}

export interface ConnectionOptions {
  clock: Clock;
  /** Control messages per second we allow ourselves (Binance counts pongs too: keep headroom). */
  controlPerSecond: number;
  /** The limiter's window is 1 s plus this margin, so network jitter cannot squeeze N+1 messages into the server's second. */
  controlWindowMarginMs: number;
  maxParamsPerMessage: number;
  handshakeTimeoutMs: number;
}

interface Queued {
  method: ControlMethod;
  params: string[];
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

export class StreamConnection {
  readonly id: number;
  readonly url: string;
  /** Streams this connection asked for (URL + SUBSCRIBE − UNSUBSCRIBE). */
  readonly subscribed: Set<string>;
  state: "connecting" | "open" | "closed" = "connecting";
  openedAt: number | null = null;
  lastActivityAt: number;
  framesReceived = 0;
  pingsReceived = 0;
  controlSent = 0;
  /** The last socket error (DNS, refused, TLS…), kept for the close that follows it. */
  lastError: { code?: string; message?: string; errors?: unknown } | undefined;
  /** Why we cut the socket ourselves, if we did ("silent"). */
  localReason: string | undefined;
  #ws: WebSocket;
  #o: ConnectionOptions;
  #limiter: SlidingWindowLimiter;
  #queue: Queued[] = [];
  #pending = new Map<number, Queued[]>();
  #nextId = 1;
  #timer: TimerHandle | null = null;

  constructor(id: number, url: string, urlStreams: readonly string[], handlers: ConnectionHandlers, options: ConnectionOptions) {
    this.id = id;
    this.url = url;
    this.subscribed = new Set(urlStreams);
    this.#o = options;
    this.#limiter = new SlidingWindowLimiter(options.controlPerSecond, 1000 + options.controlWindowMarginMs);
    this.lastActivityAt = options.clock.now();
    this.#ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: options.handshakeTimeoutMs, skipUTF8Validation: true });
    this.#ws.on("open", () => {
      this.state = "open";
      this.openedAt = this.lastActivityAt = options.clock.now();
      handlers.open(this);
      this.#pump();
    });
    this.#ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.lastActivityAt = options.clock.now();
      this.framesReceived++;
      if (!isBinary) handlers.frame(this, data.toString());
    });
    this.#ws.on("ping", () => {
      this.lastActivityAt = options.clock.now();
      this.pingsReceived++;
    });
    this.#ws.on("error", (err: Error & { code?: string; errors?: unknown }) => {
      // Always followed by "close", which does the work; kept so the close can say why.
      this.lastError = { ...(err.code ? { code: err.code } : {}), message: err.message, ...(err.errors ? { errors: err.errors } : {}) };
    });
    this.#ws.on("close", (code: number, reason: Buffer) => {
      this.state = "closed";
      this.#timer?.cancel();
      const err = new ControlRequestFailed("control", "connection closed");
      for (const q of [...this.#queue, ...[...this.#pending.values()].flat()]) q.reject(err);
      this.#queue = [];
      this.#pending.clear();
      handlers.closed(this, code, reason.toString());
    });
  }

  /** Control requests queued or awaiting their answer (a SUBSCRIBE is not in effect before it is answered). */
  get controlPending(): boolean {
    return this.#queue.length > 0 || this.#pending.size > 0;
  }

  /** Queues a control request; resolves with the server's `result` once answered. */
  request(method: ControlMethod, params: readonly string[]): Promise<unknown> {
    if (this.state === "closed") return Promise.reject(new ControlRequestFailed(method, "connection closed"));
    if (method === "SUBSCRIBE") for (const p of params) this.subscribed.add(p);
    if (method === "UNSUBSCRIBE") for (const p of params) this.subscribed.delete(p);
    const parts = params.length === 0 ? [[]] : chunk(params, this.#o.maxParamsPerMessage);
    const all = parts.map((part) => new Promise<unknown>((resolve, reject) => this.#queue.push({ method, params: part, resolve, reject })));
    this.#pump();
    return Promise.all(all).then((results) => (results.length === 1 ? results[0] : results));
  }

  /** Routes a parsed control reply to the request it answers. */
  onControl(control: BinanceControl): void {
    if (control.type === "server-shutdown" || typeof control.id !== "number") return;
    const waiting = this.#pending.get(control.id);
    if (waiting === undefined) return;
    this.#pending.delete(control.id);
    for (const q of waiting) {
      if (control.type === "response") q.resolve(control.result);
      else q.reject(new ControlRequestFailed(q.method, `${control.code ?? "?"} ${control.message}`));
    }
  }

  #pump(): void {
    this.#timer?.cancel();
    this.#timer = null;
    while (this.state === "open" && this.#queue.length > 0) {
      const now = this.#o.clock.now();
      if (!this.#limiter.tryTake(now)) {
        this.#timer = this.#o.clock.setTimeout(() => this.#pump(), this.#limiter.waitMs(now));
        return;
      }
      const first = this.#queue.shift()!;
      const merged = [first];
      let params = [...first.params];
      // Coalesce: many small subscribe calls become one message, so the limit is rarely the bottleneck.
      while (this.#queue[0]?.method === first.method && first.method !== "LIST_SUBSCRIPTIONS" && params.length + this.#queue[0].params.length <= this.#o.maxParamsPerMessage) {
        const next = this.#queue.shift()!;
        merged.push(next);
        params = params.concat(next.params);
      }
      const id = this.#nextId++;
      this.#pending.set(id, merged);
      this.controlSent++;
      this.#ws.send(JSON.stringify(first.method === "LIST_SUBSCRIPTIONS" ? { method: first.method, id } : { method: first.method, params, id }));
    }
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.lastActivityAt = this.#o.clock.now();
    this.#ws.resume();
  }

  close(reason = "replaced"): void {
    if (this.state !== "closed") this.#ws.close(1000, reason);
  }

  /** Cuts the socket without a close handshake (a dead peer would never answer one). */
  terminate(localReason?: string): void {
    this.localReason ??= localReason;
    this.#ws.terminate();
  }
}
