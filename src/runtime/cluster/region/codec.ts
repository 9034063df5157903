/**
 * Encoding of region traffic. Messages to entities use a pluggable Codec (JSON by default);
 * a remote request carries a batch of messages for one partition as one binary frame:
 *   [u32 BE header length][header JSON][payload bytes of every item, concatenated]
 * so payloads are never re-encoded (no base64) and a batch costs one NATS request.
 */

export interface Codec<T> {
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function jsonCodec<T>(): Codec<T> {
  return {
    encode: (value) => encoder.encode(JSON.stringify(value)),
    decode: (bytes) => JSON.parse(decoder.decode(bytes)) as T,
  };
}

export type ItemKind = "tell" | "ask";

export interface WireItem {
  seq: number;
  key: string;
  kind: ItemKind;
  payload: Uint8Array;
}

/** One request: messages from one sender incarnation to one partition, in sender order. */
export interface WireBatch {
  sender: string;
  /** Lowest sequence the sender still wants delivered; every lower one is settled on its side. */
  base: number;
  items: WireItem[];
}

/** What the owner answers per item. */
export type ItemResult =
  | { k: "ok"; v?: unknown }
  | { k: "dup" }
  | { k: "dup-unknown" }
  | { k: "not-owner" }
  | { k: "gap" }
  | { k: "failed"; e: string };

interface WireHeader {
  s: string;
  b: number;
  /** [seq, key, 0 = tell | 1 = ask, payload length] */
  i: [number, string, 0 | 1, number][];
}

export class MalformedRegionFrame extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`malformed region frame: ${reason}`, options);
    this.name = "MalformedRegionFrame";
  }
}

export function encodeBatch(batch: WireBatch): Uint8Array {
  const header: WireHeader = {
    s: batch.sender,
    b: batch.base,
    i: batch.items.map((it) => [it.seq, it.key, it.kind === "ask" ? 1 : 0, it.payload.length]),
  };
  const head = encoder.encode(JSON.stringify(header));
  let total = 4 + head.length;
  for (const it of batch.items) total += it.payload.length;
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const it of batch.items) {
    out.set(it.payload, at);
    at += it.payload.length;
  }
  return out;
}

export function decodeBatch(frame: Uint8Array): WireBatch {
  if (frame.length < 4) throw new MalformedRegionFrame("shorter than its length prefix");
  const headLen = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (4 + headLen > frame.length) throw new MalformedRegionFrame("header overruns the frame");
  let header: WireHeader;
  try {
    header = JSON.parse(decoder.decode(frame.subarray(4, 4 + headLen))) as WireHeader;
  } catch (err) {
    throw new MalformedRegionFrame("header is not JSON", { cause: err });
  }
  let at = 4 + headLen;
  const items: WireItem[] = [];
  for (const [seq, key, kind, len] of header.i) {
    if (at + len > frame.length) throw new MalformedRegionFrame(`payload of seq ${seq} overruns the frame`);
    items.push({ seq, key, kind: kind === 1 ? "ask" : "tell", payload: frame.subarray(at, at + len) });
    at += len;
  }
  return { sender: header.s, base: header.b, items };
}

export function encodeResults(results: ItemResult[]): Uint8Array {
  return encoder.encode(JSON.stringify(results));
}

export function decodeResults(bytes: Uint8Array): ItemResult[] {
  return JSON.parse(decoder.decode(bytes)) as ItemResult[];
}

/** One sequenced message as the owning partition holds it. */
export interface LocalItem<M> {
  seq: number;
  key: string;
  kind: ItemKind;
  message: M;
}

/** The owner's answer to one sequenced message. */
export type Delivery =
  | { k: "accepted"; reply?: Promise<unknown> }
  | { k: "duplicate"; reply?: Promise<unknown> }
  | { k: "dup-unknown" }
  | { k: "not-owner" }
  | { k: "gap" }
  | { k: "failed"; e: string };
