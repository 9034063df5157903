import type { NodeId } from "../types.js";

/** The value of a lease key `p<partition>` in the leases bucket. */
export interface LeaseRecord {
  owner: NodeId;
  /** Acquisition counter per partition (informational; the KV revision at acquisition is the strict fence). */
  epoch: number;
  /** Wall time of the acquisition, on the owner's clock (informational). */
  acquiredAt: number;
}

/** Same acquisition: owner, epoch and acquisition time all equal (the time tells incarnations of one node id apart). */
export function sameLease(a: LeaseRecord, b: LeaseRecord): boolean {
  return a.owner === b.owner && a.epoch === b.epoch && a.acquiredAt === b.acquiredAt;
}

export function leaseKey(partition: number): string {
  return `p${partition}`;
}

/** `p12` → 12; anything else → undefined (foreign keys in the bucket are ignored). */
export function partitionOfLeaseKey(key: string): number | undefined {
  const m = /^p(\d+)$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

export function isLeaseRecord(value: unknown): value is LeaseRecord {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.owner === "string" && typeof v.epoch === "number" && typeof v.acquiredAt === "number";
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses a KV value; undefined for empty (delete markers) or malformed bytes. */
export function decodeJson(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}
