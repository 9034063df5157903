/**
 * Binance-compatible market simulator: a WebSocket server on `/stream?streams=…` and `/ws/…`
 * with live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, ping frames, the incoming-message
 * limit, a maximum connection lifetime and `serverShutdown`, fed by a replay or a synthetic market.
 * Test hooks (also over HTTP, see README.md): inject a frame, drop connections, serverShutdown,
 * skip trade ids, go silent.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { SimConnection, type ConnectionLimits } from "./connection.js";
import { handleControlRequest } from "./http-control.js";
import { handleControl, parseStreamPath, wrapCombined } from "./protocol.js";
import { RestWeightBudget, type RestBackend } from "./rest-api.js";
import { TradeHistory } from "./trade-history.js";
import type { MarketSource } from "./source.js";

export interface SimulatorOptions {
  source: MarketSource;
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** Default 20 s, as Binance. */
  pingIntervalMs?: number;
  /** Default 60 s. */
  pongTimeoutMs?: number;
  /** Default 24 h. */
  maxLifetimeMs?: number;
  /** Incoming messages (control + pong) per second before a disconnect. Default 5. */
  maxIncomingPerSecond?: number;
  maxStreamsPerConnection?: number;
  /** Delay between the serverShutdown event and the disconnect. Default 1000 ms. */
  shutdownGraceMs?: number;
  /** The feed waits while any socket has more than this buffered (so max speed never drops). Default 1 MiB. */
  highWaterBytes?: number;
  /**
   * When the source's clock starts: "first-subscriber" (default) when someone subscribes to one of
   * its streams; "all-subscribed" once every stream of the source has a subscriber (benchmarks that
   * count every trade); "immediately".
   */
  startOn?: "first-subscriber" | "all-subscribed" | "immediately";
  /** Emitted trades kept per symbol for the REST endpoints (rest-api.ts). Default 50,000. */
  historyPerSymbol?: number;
  /** Emitted trades kept over all symbols (the oldest go first). Default 1,000,000. */
  historyMaxTrades?: number;
  /** REST request weight per client IP per interval. Default 6000, as Binance. */
  restWeightLimit?: number;
  /** The weight interval (a whole number of seconds). Default 60 s, as Binance. */
  restWeightIntervalMs?: number;
}

export interface SimulatorStats {
  connections: number;
  connectionsOpened: number;
  eventsEmitted: number;
  framesSent: number;
  tradesSkipped: number;
  pingsSent: number;
  pongsReceived: number;
  controlMessages: number;
  rateLimitDisconnects: number;
  started: boolean;
  ended: boolean;
}

export class MarketSimulator {
  readonly source: MarketSource;
  /** What the REST endpoints serve: every emitted trade, gapped ones included (bounded). */
  readonly rest: RestBackend;
  #http: Server;
  #wss: WebSocketServer;
  #o: Required<Omit<SimulatorOptions, "source" | "host" | "port" | "historyPerSymbol" | "historyMaxTrades" | "restWeightLimit" | "restWeightIntervalMs">>;
  #conns = new Set<SimConnection>();
  #byStream = new Map<string, Set<SimConnection>>();
  #seq = 0;
  #started = false;
  #ended = false;
  #endWaiters: Array<() => void> = [];
  #pumpTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #gap = { count: 0, stream: null as string | null };
  #st = { connectionsOpened: 0, eventsEmitted: 0, tradesSkipped: 0, controlMessages: 0, rateLimitDisconnects: 0, pingsSent: 0, pongsReceived: 0, framesSent: 0 };

  private constructor(options: SimulatorOptions) {
    this.source = options.source;
    this.#o = {
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 60_000,
      maxLifetimeMs: options.maxLifetimeMs ?? 24 * 3600_000,
      maxIncomingPerSecond: options.maxIncomingPerSecond ?? 5,
      maxStreamsPerConnection: options.maxStreamsPerConnection ?? 1024,
      shutdownGraceMs: options.shutdownGraceMs ?? 1000,
      highWaterBytes: options.highWaterBytes ?? 1024 * 1024,
      startOn: options.startOn ?? "first-subscriber",
    };
    const history = new TradeHistory({ perSymbol: options.historyPerSymbol ?? 50_000, maxTrades: options.historyMaxTrades ?? 1_000_000 });
    this.rest = { streams: this.source.streams, history, weight: new RestWeightBudget(options.restWeightLimit ?? 6000, options.restWeightIntervalMs ?? 60_000) };
    this.#http = createServer((req, res) => handleControlRequest(this, req, res));
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.#http.on("upgrade", (req, socket, head) => {
      const path = parseStreamPath(req.url ?? "/");
      if (path === null || path.streams.length > this.#o.maxStreamsPerConnection) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, path.combined, path.streams));
    });
  }

  static async start(options: SimulatorOptions & { host?: string; port?: number }): Promise<MarketSimulator> {
    const sim = new MarketSimulator(options);
    await new Promise<void>((resolve, reject) => {
      sim.#http.once("error", reject);
      sim.#http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
    if (sim.#o.startOn === "immediately") sim.#begin();
    return sim;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }
  /** Base URL for the client, e.g. ws://127.0.0.1:40123. */
  get url(): string {
    const a = this.#http.address() as AddressInfo;
    return `ws://${a.address}:${a.port}`;
  }

  stats(): SimulatorStats {
    let pings = this.#st.pingsSent, pongs = this.#st.pongsReceived, frames = this.#st.framesSent;
    for (const c of this.#conns) {
      pings += c.pingsSent;
      pongs += c.pongsReceived;
      frames += c.framesSent;
    }
    return { ...this.#st, connections: this.#conns.size, pingsSent: pings, pongsReceived: pongs, framesSent: frames, started: this.#started, ended: this.#ended };
  }

  /** Resolves when the source is exhausted and every socket has flushed what it was given. */
  whenEnded(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return new Promise((r) => this.#endWaiters.push(r));
  }

  // ---- test hooks ------------------------------------------------------------------------

  /** Sends `text` as-is to every connection (a malformed frame, an unknown event…). */
  injectFrame(text: string): void {
    for (const c of this.#conns) c.sendRaw(text);
  }

  /** Cuts every connection at the TCP level, no close frame. */
  dropConnections(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  /** Sends `serverShutdown` to every connection and closes them after the grace delay. */
  serverShutdown(): void {
    const data = JSON.stringify({ e: "serverShutdown", E: Date.now() });
    for (const c of [...this.#conns]) {
      c.sendRaw(c.combined ? wrapCombined("!serverShutdown", data) : data);
      setTimeout(() => this.#expire(c, "server shutdown"), this.#o.shutdownGraceMs).unref();
    }
  }

  /** The next `count` trades (of `stream`, or of any stream) are never sent: a gap in ids. */
  forceGap(count: number, stream: string | null = null): void {
    this.#gap = { count, stream };
  }

  /** Current connections stop sending anything, pings included; new connections are served normally. */
  goSilent(): void {
    for (const c of this.#conns) c.silent = true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    for (const c of this.#conns) {
      c.dispose();
      c.ws.terminate();
    }
    this.#conns.clear();
    await new Promise<void>((r) => this.#wss.close(() => r()));
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- connections -----------------------------------------------------------------------

  #onConnection(ws: WebSocket, combined: boolean, streams: string[]): void {
    const limits: ConnectionLimits = this.#o;
    const conn: SimConnection = new SimConnection(++this.#seq, ws, combined, limits, (reason) => this.#expire(conn, reason));
    this.#conns.add(conn);
    this.#st.connectionsOpened++;
    this.#subscribe(conn, streams);
    ws.on("pong", () => {
      conn.onPong();
      this.#countIncoming(conn);
    });
    ws.on("message", (data, isBinary) => {
      if (!this.#countIncoming(conn) || isBinary) return;
      this.#st.controlMessages++;
      const out = handleControl(data.toString(), conn.subscriptions, this.#o.maxStreamsPerConnection);
      if (out.kind === "subscribe") this.#subscribe(conn, out.streams);
      else if (out.kind === "unsubscribe") this.#unsubscribe(conn, out.streams);
      ws.send(out.reply);
    });
    ws.on("close", () => this.#remove(conn));
    ws.on("error", () => this.#remove(conn));
  }

  /** Binance: more than N incoming messages per second → disconnect. */
  #countIncoming(conn: SimConnection): boolean {
    if (conn.incoming.tryTake(Date.now())) return true;
    this.#st.rateLimitDisconnects++;
    conn.ws.close(1008, "Too many requests");
    return false;
  }

  #expire(conn: SimConnection, reason: string): void {
    if (!this.#conns.has(conn)) return;
    conn.ws.close(1000, reason);
    // A client that ignores the close frame is cut anyway.
    setTimeout(() => conn.ws.terminate(), 2000).unref();
    this.#remove(conn);
  }

  #remove(conn: SimConnection): void {
    if (!this.#conns.delete(conn)) return;
    this.#st.pingsSent += conn.pingsSent;
    this.#st.pongsReceived += conn.pongsReceived;
    this.#st.framesSent += conn.framesSent;
    conn.dispose();
    for (const s of conn.subscriptions) this.#byStream.get(s)?.delete(conn);
  }

  #subscribe(conn: SimConnection, streams: string[]): void {
    for (const s of streams) {
      conn.subscriptions.add(s);
      let set = this.#byStream.get(s);
      if (set === undefined) this.#byStream.set(s, (set = new Set()));
      set.add(conn);
    }
    if (!this.#started) {
      const covered = (st: string) => (this.#byStream.get(st)?.size ?? 0) > 0;
      if (this.#o.startOn === "first-subscriber" && streams.some((st) => this.source.streams.has(st))) this.#begin();
      if (this.#o.startOn === "all-subscribed" && [...this.source.streams].every(covered)) this.#begin();
    }
  }

  #unsubscribe(conn: SimConnection, streams: string[]): void {
    for (const s of streams) {
      conn.subscriptions.delete(s);
      this.#byStream.get(s)?.delete(conn);
    }
  }

  // ---- feed ------------------------------------------------------------------------------

  #begin(): void {
    if (this.#started) return;
    this.#started = true;
    this.source.start(Date.now());
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (ms === 0) this.#pumpTimer = setImmediate(() => this.#pump()) as unknown as NodeJS.Timeout;
    else this.#pumpTimer = setTimeout(() => this.#pump(), ms);
  }

  #pump(): void {
    if (this.#closed) return;
    for (const c of this.#conns) {
      if (c.ws.bufferedAmount > this.#o.highWaterBytes) return this.#schedule(1);
    }
    const batch = this.source.next(Date.now(), 512);
    if (batch === "end") {
      this.#finish();
      return;
    }
    const sockets = [...this.#conns].map((c) => (c.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket);
    // Cork so a chunk of frames leaves in a few writes, not one syscall per trade.
    for (const s of sockets) s?.cork();
    for (const ev of batch.events) {
      this.#st.eventsEmitted++;
      this.rest.history.record(ev.stream, ev.data);
      if (this.#gap.count > 0 && (this.#gap.stream === null || this.#gap.stream === ev.stream)) {
        this.#gap.count--;
        this.#st.tradesSkipped++;
        continue;
      }
      const subs = this.#byStream.get(ev.stream);
      if (subs === undefined) continue;
      let envelope: string | null = null;
      for (const c of subs) envelope = c.sendEvent(ev.stream, ev.data, envelope);
    }
    for (const s of sockets) s?.uncork();
    this.#schedule(batch.events.length > 0 ? 0 : batch.waitMs);
  }

  #finish(): void {
    const flushed = [...this.#conns].every((c) => c.ws.bufferedAmount === 0);
    if (!flushed) return this.#schedule(5);
    this.#ended = true;
    for (const w of this.#endWaiters.splice(0)) w();
  }
}
