/**
 * The live log tail of every node, for the control plane: one core-NATS subscription on
 * `events.log.>`, a backlog filled first from the EVENTS stream (so a fresh viewer sees the last
 * lines too), and listeners fanned out from it.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { LogRecord } from "../runtime/log.js";
import { STREAMS } from "../runtime/nats/spec.js";
import { lastMessages } from "./last-messages.js";
import { decodeLogRecord, LOG_SUBJECT_ALL, matchesLogFilter, type LogFilter } from "./log-forward.js";

export interface LogEntry {
  /** Increasing per tail (a resume point for the web subscription). */
  id: number;
  record: LogRecord;
}

const keyOf = (r: LogRecord) => `${r.node}\u0000${r.at}\u0000${r.component}\u0000${r.message}`;

export class LogTail implements AsyncDisposable {
  readonly #backlog: LogEntry[] = [];
  readonly #listeners = new Set<(e: LogEntry) => void>();
  readonly #limit: number;
  #sub: Subscription | undefined;
  #nextId = 1;

  private constructor(limit: number) {
    this.#limit = limit;
  }

  static async start(nc: NatsConnection, options: { backlog?: number; backfill?: boolean } = {}): Promise<LogTail> {
    const tail = new LogTail(options.backlog ?? 1000);
    const early: LogRecord[] = [];
    let live = false;
    tail.#sub = nc.subscribe(LOG_SUBJECT_ALL, {
      callback: (err, msg) => {
        if (err) return;
        const r = decodeLogRecord(msg.data);
        if (!r) return;
        if (live) tail.#push(r);
        else early.push(r);
      },
    });
    await nc.flush();
    const seen = new Set<string>();
    if (options.backfill !== false) {
      try {
        const stored = await lastMessages(await jetstreamManager(nc), jetstream(nc), { stream: STREAMS.events, subject: LOG_SUBJECT_ALL, limit: tail.#limit, maxBytes: 64 * 1024 });
        for (const m of stored) {
          const r = decodeLogRecord(new TextEncoder().encode(m.data));
          if (!r) continue;
          seen.add(keyOf(r));
          tail.#push(r);
        }
      } catch {
        // no EVENTS stream yet: the tail starts empty
      }
    }
    for (const r of early) if (!seen.has(keyOf(r))) tail.#push(r);
    live = true;
    return tail;
  }

  #push(record: LogRecord): void {
    const entry = { id: this.#nextId++, record };
    this.#backlog.push(entry);
    if (this.#backlog.length > this.#limit) this.#backlog.shift();
    for (const l of this.#listeners) l(entry);
  }

  /** The newest `limit` entries matching the filter, oldest first; `afterId` for a resume. */
  recent(filter: LogFilter = {}, limit = 200, afterId = 0): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.#backlog.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.#backlog[i]!;
      if (e.id <= afterId) break;
      if (matchesLogFilter(e.record, filter)) out.push(e);
    }
    return out.reverse();
  }

  /** Components and nodes seen, for the filter menus. */
  facets(): { components: string[]; nodes: string[] } {
    const c = new Set<string>();
    const n = new Set<string>();
    for (const e of this.#backlog) {
      c.add(e.record.component);
      n.add(e.record.node);
    }
    return { components: [...c].sort(), nodes: [...n].sort() };
  }

  listen(listener: (e: LogEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#sub?.unsubscribe();
    this.#listeners.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
