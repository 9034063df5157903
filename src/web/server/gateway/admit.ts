/**
 * Which records of a request go into the log: each is classified (src/custom: fields, record
 * limits, time bounds) and checked against its source's data-type and instrument quota. Strict
 * mode (the default) stops at the first refusal — the request is all or nothing; partial mode
 * (`?partial=true`) refuses records one by one and lets the rest through.
 */
import { classifyRecord, type InvalidReason } from "../../../custom/classify.js";
import { ingestSubject } from "../../../custom/names.js";
import type { SourceQuotas } from "../../../custom/quotas.js";
import type { TimeBounds } from "../../../config/time-bounds.js";
import type { ParsedItem } from "./body.js";
import { envelope } from "../../../custom/pack.js";

export interface Rejection {
  index: number;
  status: number;
  error: string;
  field: string;
  message: string;
}

export interface Admitted {
  envelopes: { subject: string; envelope: Record<string, unknown> }[];
  /** The request index of each envelope. */
  origin: number[];
  rejected: Rejection[];
}

export interface AdmitContext {
  source: string;
  pathType: string | undefined;
  receivedAt: number;
  timeBounds: TimeBounds | undefined;
  quotas: SourceQuotas;
  /** Stop at the first refusal (all-or-nothing requests). */
  strict: boolean;
}

/** A refused record's answer: too large (string, fields, nesting) is a 413, anything else a 400. */
const STATUS_OF: Record<InvalidReason, number> = { invalid_record: 400, timestamp_out_of_range: 400, record_too_large: 413 };

export function admitRecords(items: readonly ParsedItem[], ctx: AdmitContext): Admitted {
  const out: Admitted = { envelopes: [], origin: [], rejected: [] };
  for (let index = 0; index < items.length && !(ctx.strict && out.rejected.length > 0); index++) {
    const item = items[index]!;
    if (!item.ok) {
      out.rejected.push({ index, status: 400, error: item.error, field: "body", message: item.message });
      continue;
    }
    const c = classifyRecord(item.value, { source: ctx.source, receivedAt: ctx.receivedAt, ...(ctx.pathType ? { subjectType: ctx.pathType } : {}), ...(ctx.timeBounds ? { timeBounds: ctx.timeBounds } : {}) });
    if (c.kind === "invalid") {
      out.rejected.push({ index, status: STATUS_OF[c.reason], error: c.reason, field: c.field, message: c.message });
      continue;
    }
    const q = ctx.quotas.admit(ctx.source, c.dataType, c.kind === "market" ? c.symbol : undefined, ctx.receivedAt);
    if (q.kind === "quota_exceeded") {
      out.rejected.push({ index, status: 429, error: q.kind, field: q.field, message: q.message });
      continue;
    }
    out.envelopes.push({ subject: ingestSubject(ctx.source, c.dataType), envelope: envelope(item.value as Record<string, unknown>, c.dataType) });
    out.origin.push(index);
  }
  return out;
}
