/** The log browser's queries (what Kafdrop showed for Kafka): streams, subjects, consumers with pending and ack lag, last messages, the DLQ. */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { dlqReasonOf, dlqSubject, STREAMS } from "../runtime/nats/spec.js";
import { lastMessages, type StoredMessage } from "./last-messages.js";

export interface StreamView {
  name: string;
  subjects: string[];
  description: string | null;
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  firstTime: string | null;
  lastTime: string | null;
  consumers: number;
  replicas: number;
  maxAgeMs: number;
}

export interface ConsumerView {
  stream: string;
  name: string;
  durable: boolean;
  filterSubject: string | null;
  /** Messages matching the filter not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  redelivered: number;
  /** Stream sequence delivered last, and the ack floor; ackLag = their difference. */
  deliveredSeq: number;
  ackFloorSeq: number;
  ackLag: number;
  waiting: number;
  lastActive: string | null;
}

export interface DlqEntry extends StoredMessage {
  /** `dlq.<reason>` → reason (the subject), or the payload's own `reason` when it has one. */
  reason: string;
}

function nanosToMs(ns: number): number {
  return Math.round(ns / 1e6);
}

export async function listStreams(jsm: JetStreamManager): Promise<StreamView[]> {
  const out: StreamView[] = [];
  for await (const s of jsm.streams.list()) {
    const zero = s.state.first_ts?.startsWith("0001-") ?? true;
    out.push({
      name: s.config.name,
      subjects: s.config.subjects ?? [],
      description: s.config.description ?? null,
      messages: s.state.messages,
      bytes: s.state.bytes,
      firstSeq: s.state.first_seq,
      lastSeq: s.state.last_seq,
      firstTime: zero ? null : s.state.first_ts,
      lastTime: s.state.last_ts && !s.state.last_ts.startsWith("0001-") ? s.state.last_ts : null,
      consumers: s.state.consumer_count,
      replicas: s.config.num_replicas,
      maxAgeMs: nanosToMs(s.config.max_age),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export async function listConsumers(jsm: JetStreamManager, stream?: string): Promise<ConsumerView[]> {
  const streams = stream ? [stream] : (await listStreams(jsm)).map((s) => s.name);
  const out: ConsumerView[] = [];
  for (const name of streams) {
    for await (const c of jsm.consumers.list(name)) {
      const delivered = c.delivered.stream_seq;
      const floor = c.ack_floor.stream_seq;
      out.push({
        stream: name,
        name: c.name,
        durable: Boolean(c.config.durable_name),
        filterSubject: c.config.filter_subject ?? null,
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        deliveredSeq: delivered,
        ackFloorSeq: floor,
        ackLag: Math.max(0, delivered - floor),
        waiting: c.num_waiting,
        // The server sends an RFC 3339 time here, whatever the client type says.
        lastActive: typeof (c.delivered as unknown as { last_active?: unknown }).last_active === "string" ? ((c.delivered as unknown as { last_active: string }).last_active) : null,
      });
    }
  }
  return out.sort((a, b) => a.stream.localeCompare(b.stream) || a.name.localeCompare(b.name));
}

/** Subjects of a stream with their message counts (largest first, capped). */
export async function streamSubjects(jsm: JetStreamManager, stream: string, filter = ">", limit = 500): Promise<{ subject: string; messages: number }[]> {
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  const subjects = Object.entries(info.state.subjects ?? {}).map(([subject, messages]) => ({ subject, messages: Number(messages) }));
  return subjects.sort((a, b) => b.messages - a.messages || a.subject.localeCompare(b.subject)).slice(0, limit);
}

/** How far back the browser looks for a subject's last messages (sequences): a rare subject in a long stream is not worth a walk through all of it. */
export const BROWSER_MAX_SCAN = 100_000;

export function subjectMessages(jsm: JetStreamManager, js: JetStreamClient, stream: string, subject: string, limit: number): Promise<StoredMessage[]> {
  return lastMessages(jsm, js, { stream, subject, limit, maxScan: BROWSER_MAX_SCAN });
}

export function dlqReason(m: Pick<StoredMessage, "subject" | "data" | "headers">): string {
  const fromHeader = m.headers["Tickhouse-Reason"] ?? m.headers["reason"];
  if (fromHeader) return fromHeader;
  try {
    const body = JSON.parse(m.data) as { reason?: unknown; message?: unknown };
    // The custom router writes a reason code and a human message: show both.
    if (typeof body.reason === "string" && body.reason) return typeof body.message === "string" && body.message ? `${body.reason}: ${body.message}` : body.reason;
    if (body.reason && typeof body.reason === "object") return JSON.stringify(body.reason);
  } catch {
    // not JSON: the subject says why
  }
  return dlqReasonOf(m.subject) ?? m.subject;
}

export async function deadLetters(jsm: JetStreamManager, js: JetStreamClient, limit: number): Promise<DlqEntry[]> {
  try {
    const msgs = await lastMessages(jsm, js, { stream: STREAMS.dlq, subject: dlqSubject(">"), limit, maxScan: BROWSER_MAX_SCAN });
    return msgs.map((m) => ({ ...m, reason: dlqReason(m) })).reverse();
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return [];
    throw err;
  }
}
