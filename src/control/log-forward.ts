/**
 * Forwards a node's log records to `events.log.<nodeId>` (core NATS publish; the EVENTS stream
 * keeps them), so the control plane can tail every node at once. The logger is created before the
 * NATS connection exists: records are buffered (bounded) until `attach`.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { LogLevel, LogRecord } from "../runtime/log.js";
import { isSubjectToken } from "../admin/protocol.js";
import { eventSubject } from "../runtime/nats/spec.js";

export const LOG_SUBJECT_PREFIX = eventSubject("log");
export const LOG_SUBJECT_ALL = eventSubject("log", ">");

export function logSubject(nodeId: string): string {
  if (!isSubjectToken(nodeId)) throw new RangeError(`node id "${nodeId}" cannot be a subject token`);
  return eventSubject("log", nodeId);
}

/**
 * A record's `fields.localOnly` stays in the node's own output and is not forwarded: the log
 * stream is readable by every dashboard viewer, so who ran an admin command, for whom, with which
 * key and arguments (the audit trail's content, admin only) must not travel with it.
 */
export const LOCAL_ONLY_FIELD = "localOnly";

/** Pure: the record as it may be forwarded, without its local-only fields. */
export function forwardableRecord(record: LogRecord): LogRecord {
  if (record.fields === undefined || !(LOCAL_ONLY_FIELD in record.fields)) return record;
  const { [LOCAL_ONLY_FIELD]: _local, ...fields } = record.fields;
  const { fields: _all, ...rest } = record;
  return Object.keys(fields).length > 0 ? { ...rest, fields } : rest;
}

/** What `createLogger({ sink })` takes. */
export type LogSink = (record: LogRecord) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogForwarderOptions {
  /** Records below this level stay local. Default "info" (debug would flood the EVENTS stream). */
  minLevel?: LogLevel;
  /** Records kept while no connection is attached; older ones are dropped (counted). Default 1000. */
  bufferLimit?: number;
}

export class LogForwarder {
  readonly subject: string;
  readonly #minLevel: number;
  readonly #bufferLimit: number;
  readonly #encoder = new TextEncoder();
  #nc: NatsConnection | undefined;
  #buffer: LogRecord[] = [];
  #forwarded = 0;
  #dropped = 0;

  constructor(nodeId: string, options: LogForwarderOptions = {}) {
    this.subject = logSubject(nodeId);
    this.#minLevel = RANK[options.minLevel ?? "info"];
    this.#bufferLimit = options.bufferLimit ?? 1000;
  }

  /** Pass as `createLogger({ sink })`. Never throws: a log line must not break its caller. */
  readonly sink = (full: LogRecord): void => {
    if (RANK[full.level] < this.#minLevel) return;
    const record = forwardableRecord(full);
    if (!this.#nc || this.#nc.isClosed()) {
      this.#buffer.push(record);
      if (this.#buffer.length > this.#bufferLimit) {
        this.#buffer.shift();
        this.#dropped++;
      }
      return;
    }
    this.#publish(record);
  };

  attach(nc: NatsConnection): void {
    this.#nc = nc;
    const pending = this.#buffer;
    this.#buffer = [];
    for (const r of pending) this.#publish(r);
  }

  detach(): void {
    this.#nc = undefined;
  }

  stats(): { forwarded: number; dropped: number; buffered: number } {
    return { forwarded: this.#forwarded, dropped: this.#dropped, buffered: this.#buffer.length };
  }

  #publish(record: LogRecord): void {
    try {
      this.#nc!.publish(this.subject, this.#encoder.encode(JSON.stringify(record, safeJson)));
      this.#forwarded++;
    } catch {
      this.#dropped++; // connection closing/draining: the line is still on stdout
    }
  }
}

function safeJson(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** A sink publishing straight away on an open connection (when the logger can be created after NATS). */
export function natsLogSink(nc: NatsConnection, nodeId: string, options: LogForwarderOptions = {}): LogSink {
  const forwarder = new LogForwarder(nodeId, options);
  forwarder.attach(nc);
  return forwarder.sink;
}

/** Parses a forwarded record; null when it is not one. */
export function decodeLogRecord(data: Uint8Array): LogRecord | null {
  try {
    const r = JSON.parse(new TextDecoder().decode(data)) as Partial<LogRecord>;
    if (typeof r.at !== "string" || typeof r.message !== "string" || typeof r.node !== "string" || typeof r.component !== "string" || !(r.level && r.level in RANK)) return null;
    return r as LogRecord;
  } catch {
    return null;
  }
}

export interface LogFilter {
  /** Minimum level. */
  level?: LogLevel;
  /** Component (actor) name, exact; several allowed. */
  components?: string[];
  nodes?: string[];
  /** Case-insensitive substring of message or fields. */
  text?: string;
}

export function matchesLogFilter(r: LogRecord, f: LogFilter): boolean {
  if (f.level && RANK[r.level] < RANK[f.level]) return false;
  if (f.components && f.components.length > 0 && !f.components.includes(r.component)) return false;
  if (f.nodes && f.nodes.length > 0 && !f.nodes.includes(r.node)) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    if (!r.message.toLowerCase().includes(needle) && !JSON.stringify(r.fields ?? {}).toLowerCase().includes(needle)) return false;
  }
  return true;
}
