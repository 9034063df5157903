/**
 * Dead letters waiting for the router's next commit. They are published (awaited) before the
 * commit acknowledges the log, with `Nats-Msg-Id custom:<seq>:<index>` so that a replay inside
 * JetStream's duplicate window stores each one once. Body: the ingest DLQ format
 * `{source, reason, message, raw, truncated, ingestTime}` plus `field, subject, seq, index`.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { dlqSubject } from "../runtime/nats/spec.js";
import type { LogMessage, RouteDecision } from "./route.js";

const MAX_DLQ_RAW = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type DeadLetter = Extract<RouteDecision, { kind: "dead-letter" }>;

export class DeadLetterQueue {
  #queue: { subject: string; body: Uint8Array; msgID: string }[] = [];
  readonly counts: Record<string, number> = {};

  get size(): number {
    return this.#queue.length;
  }

  add(d: DeadLetter, m: LogMessage): void {
    this.counts[d.reason] = (this.counts[d.reason] ?? 0) + 1;
    const truncated = d.raw.length > MAX_DLQ_RAW;
    const body = { source: d.source, reason: d.reason, message: d.message, field: d.field ?? null, subject: m.subject, seq: m.seq, index: d.index, raw: truncated ? d.raw.slice(0, MAX_DLQ_RAW) : d.raw, truncated, ingestTime: m.ingestTime };
    this.#queue.push({ subject: dlqSubject(d.reason), body: encoder.encode(JSON.stringify(body)), msgID: `custom:${m.seq}:${d.index}` });
  }

  /**
   * Publishes everything queued; the ones that failed stay queued (ahead of any added meanwhile)
   * and the first error is thrown. The queue is taken before the first await, so a letter added
   * while this publish is in flight waits for the next one instead of being dropped with it.
   */
  async publish(js: JetStreamClient): Promise<void> {
    const queue = this.#queue;
    this.#queue = [];
    const sent = await Promise.allSettled(queue.map((d) => js.publish(d.subject, d.body, { msgID: d.msgID })));
    this.#queue = [...queue.filter((_, i) => sent[i]!.status === "rejected"), ...this.#queue];
    const failed = sent.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

/** The JSON text of record `index` of a message (the whole text for index -1 or non-JSON). */
export function rawRecord(m: LogMessage, index: number): string {
  const text = decoder.decode(m.data);
  if (index < 0) return text;
  try {
    const body = JSON.parse(text) as unknown;
    return JSON.stringify(Array.isArray(body) ? body[index] : body);
  } catch {
    return text;
  }
}
