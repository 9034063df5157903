/**
 * Per-source quotas on custom data (issue 12, finding 4): how many data types (one lake table
 * each) and instruments (one market symbol, SymbolActor and set of series each) a source may
 * create, and how many records per second it may send (the gateway's INGEST_RATE_LIMIT, the
 * router's CUSTOM_NATS_RATE_LIMIT). Without them a source could grow the platform's maps, tables
 * and actors without bound, or flood the router. Pure, clock passed in; every map is bounded
 * (sources least recently seen are forgotten past `maxSources`).
 */

export interface QuotaOptions {
  /** Distinct data types per source. */
  maxDataTypes: number;
  /** Distinct market instruments per source. */
  maxInstruments: number;
  /** Records per second per source (a token bucket); 0: no rate limit. */
  recordsPerSecond: number;
  /** Bucket size: records a source may send at once after a pause. */
  burst: number;
  /** Sources remembered; the least recently seen is forgotten beyond this. */
  maxSources: number;
}

/** A rate limit's bucket holds this many seconds of records, so a source may pause and catch up. */
export const BURST_SECONDS = 5;

/** The bucket size for `rate` records/s: BURST_SECONDS of records, at least `atLeast` (one full request or message). */
export function burstFor(rate: number, atLeast: number): number {
  return Math.max(rate * BURST_SECONDS, atLeast);
}

export const DEFAULT_QUOTAS: QuotaOptions = { maxDataTypes: 100, maxInstruments: 1000, recordsPerSecond: 0, burst: 0, maxSources: 10_000 };

export type QuotaVerdict =
  | { kind: "ok" }
  | { kind: "rate_limited"; retryAfterMs: number; message: string }
  | { kind: "quota_exceeded"; field: "data_type" | "symbol"; message: string };

interface SourceState {
  tokens: number;
  at: number;
  dataTypes: Set<string>;
  instruments: Set<string>;
}

export class SourceQuotas {
  readonly options: QuotaOptions;
  readonly #sources = new Map<string, SourceState>();

  constructor(options: Partial<QuotaOptions> = {}) {
    this.options = { ...DEFAULT_QUOTAS, ...options };
  }

  get sources(): number {
    return this.#sources.size;
  }

  /** Takes `records` tokens from the source's bucket, or says when to retry (nothing taken). */
  takeRate(source: string, records: number, now: number): QuotaVerdict {
    const { recordsPerSecond: rate, burst } = this.options;
    if (rate <= 0) return { kind: "ok" };
    const s = this.#state(source, now);
    // A clock that steps back (or log times out of order) must not drain the bucket.
    s.tokens = Math.min(burst, s.tokens + (Math.max(0, now - s.at) * rate) / 1000);
    s.at = Math.max(s.at, now);
    if (records <= s.tokens) {
      s.tokens -= records;
      return { kind: "ok" };
    }
    const retryAfterMs = Math.ceil(((Math.min(records, burst) - s.tokens) * 1000) / rate);
    return { kind: "rate_limited", retryAfterMs, message: `source ${source} sends more than ${rate} records/s (burst ${burst}); retry in ${Math.ceil(retryAfterMs / 1000)} s` };
  }

  /** Admits a data type (and instrument) for the source, remembering it; refuses one past the limits. */
  admit(source: string, dataType: string, instrument: string | undefined, now: number): QuotaVerdict {
    const s = this.#state(source, now);
    if (!s.dataTypes.has(dataType)) {
      if (s.dataTypes.size >= this.options.maxDataTypes) {
        return { kind: "quota_exceeded", field: "data_type", message: `source ${source} already has ${this.options.maxDataTypes} data types (CUSTOM_MAX_DATA_TYPES); ${dataType} would be one more` };
      }
    }
    if (instrument !== undefined && !s.instruments.has(instrument)) {
      if (s.instruments.size >= this.options.maxInstruments) {
        return { kind: "quota_exceeded", field: "symbol", message: `source ${source} already has ${this.options.maxInstruments} instruments (CUSTOM_MAX_INSTRUMENTS); ${instrument} would be one more` };
      }
      s.instruments.add(instrument);
    }
    s.dataTypes.add(dataType);
    return { kind: "ok" };
  }

  /** Seeds what a source already has (e.g. its lake tables), within the limits. */
  know(source: string, dataType: string, now: number): void {
    this.admit(source, dataType, undefined, now);
  }

  #state(source: string, now: number): SourceState {
    let s = this.#sources.get(source);
    if (s) {
      this.#sources.delete(source); // re-inserted last: the Map's order is recency
    } else {
      s = { tokens: this.options.burst, at: now, dataTypes: new Set(), instruments: new Set() };
      const oldest = this.#sources.size >= this.options.maxSources ? this.#sources.keys().next().value : undefined;
      if (oldest !== undefined) this.#sources.delete(oldest);
    }
    this.#sources.set(source, s);
    return s;
  }
}
