/**
 * How much of an audit record the trail keeps (pure). A refused attempt changed nothing and its
 * text is whatever the caller sent, so it is summarised: one row per time bucket, node, caller,
 * key id and command, with a count and a few clipped characters of sample. A command that ran is
 * kept whole, with generous bounds that only a forged record would reach.
 */

export interface AuditLimits {
  /** Width of a refusal summary's time bucket (ms). Default 1 hour. */
  refusalBucketMs: number;
  /** Distinct (node, caller, key, command) rows per bucket; further ones are counted in one "(other)" row. Default 100. */
  refusalKeysPerBucket: number;
  /** Refusal rows older than this are deleted (ms). Default 30 days. */
  refusalRetentionMs: number;
  /** At most this many refusal rows are kept, the oldest deleted first. Default 10,000. */
  maxRefusalRows: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditLimits = {
  refusalBucketMs: 60 * 60_000,
  refusalKeysPerBucket: 100,
  refusalRetentionMs: 30 * 24 * 60 * 60_000,
  maxRefusalRows: 10_000,
};

/** Characters kept of each attacker-controlled field of a refusal. */
export const REFUSAL_TEXT = { node: 64, caller: 64, keyId: 32, onBehalfOf: 64, command: 64, detail: 200, args: 3, arg: 40 } as const;
/** Bounds for the record of a command that ran (its text came with a valid signature). */
export const ACCEPTED_TEXT = { node: 200, caller: 200, keyId: 64, onBehalfOf: 200, command: 100, detail: 2_000, args: 100, arg: 2_000 } as const;

export type TextBounds = typeof REFUSAL_TEXT | typeof ACCEPTED_TEXT;

/** Cuts text to `max` characters, marking the cut ("…+N" counts what was left out). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let marker = "";
  // The marker counts the characters it replaces, so its own length is part of the count.
  for (let i = 0; i < 3; i++) marker = `…+${text.length - Math.max(0, max - marker.length)}`;
  return marker.length > max ? text.slice(0, max) : text.slice(0, max - marker.length) + marker;
}

/** Clips each argument and keeps the first `bounds.args`; `argc` is how many there were. */
export function clipArgs(args: readonly unknown[], bounds: TextBounds): { argv: string[]; argc: number } {
  return { argv: args.slice(0, bounds.args).map((a) => clip(String(a), bounds.arg)), argc: args.length };
}

/** Start of the bucket holding `at`. */
export function bucketStart(at: Date, bucketMs: number): Date {
  return new Date(Math.floor(at.getTime() / bucketMs) * bucketMs);
}

export interface RefusalIdentity {
  nodeId: string;
  principal: string;
  keyId: string;
  command: string;
}

/** The unique text of a summary row within its bucket (JSON of the clipped fields: no separator can be forged). */
export function refusalKey(id: RefusalIdentity): string {
  return JSON.stringify([id.nodeId, id.principal, id.keyId, id.command]);
}

/** Where attempts go once a bucket holds `refusalKeysPerBucket` distinct rows. */
export const OVERFLOW_IDENTITY: RefusalIdentity = { nodeId: "(other)", principal: "(other)", keyId: "", command: "(other)" };

export function validateAuditLimits(limits: AuditLimits): AuditLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`audit limit ${name} must be a positive integer (got ${value})`);
  }
  return limits;
}
