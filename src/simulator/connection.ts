/** One client connection of the simulator: its subscriptions, keep-alive, limits and counters. */
import type { WebSocket } from "ws";
import { SlidingWindowLimiter } from "../ingest/rate-limiter.js";
import { wrapCombined } from "./protocol.js";

export interface ConnectionLimits {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  maxLifetimeMs: number;
  maxIncomingPerSecond: number;
}

export class SimConnection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly combined: boolean;
  readonly subscriptions = new Set<string>();
  readonly openedAt = Date.now();
  readonly incoming: SlidingWindowLimiter;
  /** No frames and no pings any more (test hook), while the TCP connection stays open. */
  silent = false;
  framesSent = 0;
  pingsSent = 0;
  pongsReceived = 0;
  #awaitingPongSince: number | null = null;
  #timers: NodeJS.Timeout[] = [];

  constructor(id: number, ws: WebSocket, combined: boolean, limits: ConnectionLimits, onExpire: (reason: string) => void) {
    this.id = id;
    this.ws = ws;
    this.combined = combined;
    this.incoming = new SlidingWindowLimiter(limits.maxIncomingPerSecond, 1000);
    this.#timers.push(
      setInterval(() => {
        if (this.silent) return;
        if (this.#awaitingPongSince !== null && Date.now() - this.#awaitingPongSince > limits.pongTimeoutMs) {
          onExpire("no pong");
          return;
        }
        this.#awaitingPongSince ??= Date.now();
        this.pingsSent++;
        ws.ping();
      }, limits.pingIntervalMs),
      setTimeout(() => onExpire("max connection lifetime"), limits.maxLifetimeMs),
    );
  }

  onPong(): void {
    this.pongsReceived++;
    this.#awaitingPongSince = null;
  }

  /** Sends an event of `stream`; `combinedText` is the envelope, built once per event by the caller. */
  sendEvent(stream: string, data: string, combinedText: string | null): string | null {
    if (this.silent) return combinedText;
    let text: string;
    if (this.combined) text = combinedText ??= wrapCombined(stream, data);
    else text = data;
    this.ws.send(text);
    this.framesSent++;
    return combinedText;
  }

  sendRaw(text: string): void {
    if (this.silent) return;
    this.ws.send(text);
  }

  dispose(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
  }
}
