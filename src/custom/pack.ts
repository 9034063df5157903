/** How accepted records become log messages on CUSTOM. Pure. */
import { MAX_RECORDS_PER_MESSAGE } from "./route.js";

const encoder = new TextEncoder();

export interface PackedMessage {
  subject: string;
  data: Uint8Array;
  /** Indices (in the request) of the records this message holds. */
  indices: number[];
}

/** Records per log message (the router's limit, MAX_RECORDS_PER_MESSAGE) and bytes per message (under NATS' 1 MiB default). */
const MAX_PACK_RECORDS = MAX_RECORDS_PER_MESSAGE;
const MAX_PACK_BYTES = 256 * 1024;

/**
 * Records of one subject travel together: one log message holds a JSON array of up to 1000
 * envelopes (one record alone is sent as an object). One publish per message instead of per
 * record is what makes batched requests cheap; order within a subject is kept.
 */
export function packMessages(envelopes: { subject: string; envelope: Record<string, unknown> }[]): PackedMessage[] {
  const out: PackedMessage[] = [];
  const open = new Map<string, { parts: string[]; bytes: number; indices: number[] }>();
  const seal = (subject: string) => {
    const p = open.get(subject);
    if (!p) return;
    open.delete(subject);
    out.push({ subject, data: encoder.encode(p.parts.length === 1 ? p.parts[0]! : `[${p.parts.join(",")}]`), indices: p.indices });
  };
  envelopes.forEach(({ subject, envelope }, index) => {
    const text = JSON.stringify(envelope);
    const p = open.get(subject);
    // text.length counts UTF-16 units: at most 3 bytes each, so a message stays under 768 KiB.
    if (p && (p.parts.length >= MAX_PACK_RECORDS || p.bytes + text.length > MAX_PACK_BYTES)) seal(subject);
    const q = open.get(subject) ?? { parts: [], bytes: 2, indices: [] };
    q.parts.push(text);
    q.bytes += text.length + 1;
    q.indices.push(index);
    open.set(subject, q);
  });
  for (const subject of [...open.keys()]) seal(subject);
  return out;
}

/** What goes into the log: the record's payload under an explicit data type (the router re-reads it the same way). */
export function envelope(record: Record<string, unknown>, dataType: string): Record<string, unknown> {
  if ("payload" in record) {
    return record.timestamp === undefined ? { data_type: dataType, payload: record.payload } : { data_type: dataType, payload: record.payload, timestamp: record.timestamp };
  }
  const payload = { ...record };
  delete payload.data_type;
  return { data_type: dataType, payload };
}
