import type { KV } from "@nats-io/kv";
import { isCasConflict } from "../../nats/errors.js";
import { decodeJson, encodeJson, isLeaseRecord, leaseKey, type LeaseRecord } from "./lease-record.js";

/** True when a conditional write failed because the key is not at the expected revision. */
/** The lease operations LeaseKeeper needs; LeaseStore is the KV implementation. */
export interface LeaseOps {
  acquire(partition: number, record: LeaseRecord): Promise<number | undefined>;
  renew(partition: number, record: LeaseRecord, revision: number): Promise<number | "conflict">;
  release(partition: number, revision: number): Promise<boolean>;
  read(partition: number): Promise<{ record: LeaseRecord; revision: number } | undefined>;
}

/**
 * Compare-and-set operations on lease keys. Every write names the revision it expects, so a
 * write based on a stale view fails instead of overwriting another node's lease.
 */
export class LeaseStore implements LeaseOps {
  constructor(
    readonly kv: KV,
    /** Publish timeout for renewals (ms): a renewal slower than this counts as failed. */
    readonly writeTimeoutMs: number,
  ) {}

  /** Creates the lease when the key is absent, expired or deleted. Revision, or undefined when someone holds it. */
  async acquire(partition: number, record: LeaseRecord): Promise<number | undefined> {
    try {
      return await this.kv.create(leaseKey(partition), encodeJson(record));
    } catch (err) {
      if (isCasConflict(err)) return undefined;
      throw err;
    }
  }

  /** Rewrites our lease if it is still at `revision`. New revision, or "conflict" when it moved. */
  async renew(partition: number, record: LeaseRecord, revision: number): Promise<number | "conflict"> {
    try {
      return await this.kv.update(leaseKey(partition), encodeJson(record), revision, this.writeTimeoutMs);
    } catch (err) {
      if (isCasConflict(err)) return "conflict";
      throw err;
    }
  }

  /** Deletes our lease if it is still at `revision`; false if it had moved (then it is not ours to delete). */
  async release(partition: number, revision: number): Promise<boolean> {
    try {
      await this.kv.delete(leaseKey(partition), { previousSeq: revision });
      return true;
    } catch (err) {
      if (isCasConflict(err)) return false;
      throw err;
    }
  }

  /** The current lease and its revision, or undefined when free. */
  async read(partition: number): Promise<{ record: LeaseRecord; revision: number } | undefined> {
    const e = await this.kv.get(leaseKey(partition));
    if (!e || e.operation !== "PUT") return undefined;
    const record = decodeJson(e.value);
    return isLeaseRecord(record) ? { record, revision: e.revision } : undefined;
  }
}
