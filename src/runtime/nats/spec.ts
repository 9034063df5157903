/**
 * The platform's JetStream streams and KV buckets as data. `bootstrap` makes the server match
 * this list; everything else (producers, consumers, regions) refers to these names.
 */

export interface StreamSpec {
  kind: "stream";
  name: string;
  subjects: string[];
  description: string;
  /** Messages older than this are dropped (ms). 0 = keep forever. */
  maxAgeMs: number;
  /** The stream drops its oldest messages past this size (bytes). -1 = unlimited. */
  maxBytes: number;
  /** Publishes with the same `Nats-Msg-Id` inside this window are stored once (ms). */
  duplicateWindowMs: number;
  /**
   * Messages kept per subject; past it the subject's own oldest message goes, never another
   * subject's. -1 = unlimited.
   */
  maxMsgsPerSubject: number;
  /**
   * What a full stream (maxBytes) does: "old" drops its oldest messages, whatever their subject;
   * "new" refuses the publish ("maximum bytes exceeded") and drops nothing stored. Either way a
   * subject at maxMsgsPerSubject replaces its own oldest message, even when the stream is full.
   */
  discard: "old" | "new";
}

export interface BucketSpec {
  kind: "bucket";
  name: string;
  description: string;
  /** Bucket max_age (ms): every entry (and delete marker) expires this long after its last write. 0 = never. */
  ttlMs: number;
  /** Values kept per key. */
  history: number;
  /**
   * Correctness rests on compare-and-set (kv.create / kv.update with a revision). Such a bucket
   * gets 1 replica on servers that do not serialise CAS on replicated streams (before 2.9.21).
   */
  cas?: boolean;
}

export type LogSpec = StreamSpec | BucketSpec;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;

/** Retention knobs for the platform's log, with defaults sized for one laptop. */
export interface LogConfig {
  trades: { maxAgeMs: number; maxBytes: number };
  /**
   * User-published data, every source in one stream. A full stream refuses new messages rather
   * than drop another source's (discard "new"), and each ingest.<source>.<data_type> keeps at
   * most maxMsgsPerSubject, dropping its own oldest past that: one source cannot push out another's.
   */
  custom: { maxAgeMs: number; maxBytes: number; maxMsgsPerSubject: number };
  silver: { maxAgeMs: number; maxBytes: number };
  candles: { maxAgeMs: number; maxBytes: number };
  dlq: { maxAgeMs: number; maxBytes: number };
  events: { maxAgeMs: number; maxBytes: number };
  /**
   * The admin audit trail on its way to PostgreSQL, one subject per result. maxMsgsPerSubject caps
   * each result alone, so refusals (clipped to under 1 KB each by their publishers) only ever push
   * out older refusals; maxBytes is a backstop well above maxMsgsPerSubject × 1 KB.
   */
  audit: { maxAgeMs: number; maxBytes: number; maxMsgsPerSubject: number };
  /** De-duplication window of every stream (ms). */
  duplicateWindowMs: number;
  /** Member heartbeat TTL: the members bucket's max_age (ms). */
  memberTtlMs: number;
  /** Partition lease TTL: the leases bucket's max_age (ms). */
  leaseTtlMs: number;
}

export const defaultLogConfig: LogConfig = {
  trades: { maxAgeMs: 7 * DAY, maxBytes: 10 * GIB },
  custom: { maxAgeMs: 7 * DAY, maxBytes: 2 * GIB, maxMsgsPerSubject: 100_000 },
  silver: { maxAgeMs: 30 * DAY, maxBytes: 2 * GIB },
  candles: { maxAgeMs: 30 * DAY, maxBytes: 1 * GIB },
  dlq: { maxAgeMs: 30 * DAY, maxBytes: 1 * GIB },
  events: { maxAgeMs: 7 * DAY, maxBytes: 1 * GIB },
  audit: { maxAgeMs: 30 * DAY, maxBytes: 4 * GIB, maxMsgsPerSubject: 1_000_000 },
  duplicateWindowMs: 2 * MINUTE,
  memberTtlMs: 5_000,
  leaseTtlMs: 5_000,
};

/** Names every module shares, so nobody spells a stream or bucket twice. */
export const STREAMS = {
  trades: "TRADES",
  custom: "CUSTOM",
  silver: "SILVER",
  candles: "CANDLES",
  dlq: "DLQ",
  events: "EVENTS",
  audit: "AUDIT",
} as const;

export const BUCKETS = {
  members: "rt_members",
  leases: "rt_leases",
  ingestMembers: "rt_ingest_members",
  ingestLeases: "rt_ingest_leases",
  ingestSymbols: "rt_ingest_symbols",
  snapshots: "rt_snapshots",
  champions: "rt_champions",
  regionDedupe: "rt_region_dedupe",
} as const;

/**
 * The publisher writes one message per partition on `<TRADE_SUBJECT_PREFIX>.<partition>.all`
 * (src/ingest/partition-log.ts); logs written before it hold one message per symbol on
 * `….<partition>.<SYMBOL>`, which every reader takes too.
 */
export const TRADE_SUBJECT_PREFIX = "md.trades";
/** Matches every trade subject. */
export const ALL_TRADES = `${TRADE_SUBJECT_PREFIX}.>`;

/** A symbol's subject in the per-symbol layout (before per-partition messages): the partition is in the subject (nats 2.9 has no subject mapping for consumers). */
export function tradeSubject(partition: number, symbol: string): string {
  return `${TRADE_SUBJECT_PREFIX}.${partition}.${symbol}`;
}

/** A symbol's closed bars (with features and prediction) on SILVER. */
export function silverSubject(symbol: string): string {
  return `silver.${symbol}`;
}

/** A symbol's closed 1-minute candles on CANDLES. */
export function candleSubject(symbol: string): string {
  return `candles.${symbol}`;
}

/** A symbol's live ticks (core NATS, not stored). */
export function tickSubject(symbol: string): string {
  return `ticks.${symbol}`;
}

/** A rejected record on DLQ, with its reason in the subject (`dlq.<reason>`). `dlqSubject(">")` matches every one. */
export function dlqSubject(reason: string): string {
  return `dlq.${reason}`;
}

/** The reason a DLQ subject names (`dlq.<reason>` → reason); undefined for any other subject. */
export function dlqReasonOf(subject: string): string | undefined {
  return subject.startsWith("dlq.") ? subject.slice("dlq.".length) : undefined;
}

/**
 * A platform event on EVENTS: `events.<topic>.<tokens...>`, e.g. `events.quality.report`,
 * `events.log.<node>`, `events.market.gap.<SYMBOL>`. `eventSubject("log", ">")` matches every node's log.
 */
export function eventSubject(topic: string, ...tokens: string[]): string {
  return ["events", topic, ...tokens].join(".");
}

/** An admin audit record on AUDIT, one subject per result: `audit.admin.<result>`. `auditSubject(">")` matches every one. */
export function auditSubject(result: string): string {
  return `audit.admin.${result}`;
}

/** User-published JSON on CUSTOM: `ingest.<source>.<data_type>`. */
export function customSubject(source: string, dataType: string): string {
  return `ingest.${source}.${dataType}`;
}

/** Region requests (core NATS): `<REGION_SUBJECT_PREFIX>.<region>.<partition>`. */
export const REGION_SUBJECT_PREFIX = "rt.region";

/** The handover channel of one ingest shard (core NATS request/reply, src/node/components/ingest-handover.ts). */
export function ingestHandoverSubject(shard: number, prefix = "rt.ingest.handover"): string {
  return `${prefix}.${shard}`;
}

export function platformLogSpec(overrides: Partial<LogConfig> = {}): LogSpec[] {
  const c: LogConfig = { ...defaultLogConfig, ...overrides };
  const stream = (
    name: string,
    subjects: string[],
    description: string,
    limits: { maxAgeMs: number; maxBytes: number; maxMsgsPerSubject?: number },
    discard: StreamSpec["discard"] = "old",
  ): StreamSpec => ({
    kind: "stream",
    name,
    subjects,
    description,
    maxAgeMs: limits.maxAgeMs,
    maxBytes: limits.maxBytes,
    duplicateWindowMs: c.duplicateWindowMs,
    maxMsgsPerSubject: limits.maxMsgsPerSubject ?? -1,
    discard,
  });
  return [
    stream(STREAMS.trades, [ALL_TRADES], "normalised trades, md.trades.<partition>.all (before: .<SYMBOL>)", c.trades),
    stream(STREAMS.custom, ["ingest.>"], "user-published JSON, ingest.<source>.<data_type>", c.custom, "new"),
    stream(STREAMS.silver, ["silver.>"], "closed windows with features and prediction, silver.<SYMBOL>", c.silver),
    stream(STREAMS.candles, ["candles.>"], "closed 1-minute candles, candles.<SYMBOL>", c.candles),
    stream(STREAMS.dlq, [dlqSubject(">")], "rejected records with their reason, dlq.<reason>", c.dlq),
    stream(STREAMS.events, [eventSubject(">")], "model promotions, quality reports, logs", c.events),
    // Its own stream: a flood of log lines in EVENTS cannot push out a record the writer has not stored.
    stream(STREAMS.audit, ["audit.>"], "admin audit records until the audit writer stores them, audit.admin.<ok|failed|rejected>", c.audit),
    { kind: "bucket", name: BUCKETS.members, description: "cluster members, one heartbeat per node", ttlMs: c.memberTtlMs, history: 1 },
    { kind: "bucket", name: BUCKETS.leases, description: "partition leases p<partition>", ttlMs: c.leaseTtlMs, history: 1, cas: true },
    { kind: "bucket", name: BUCKETS.ingestMembers, description: "nodes with the ingest role, one heartbeat per node", ttlMs: c.memberTtlMs, history: 1 },
    { kind: "bucket", name: BUCKETS.ingestLeases, description: "ingest shard leases p<partition>: who reads the symbols of a trade partition", ttlMs: c.leaseTtlMs, history: 1, cas: true },
    { kind: "bucket", name: BUCKETS.ingestSymbols, description: "admin subscribe/unsubscribe of ingested symbols, <SYMBOL> = on|off over the configured SYMBOLS", ttlMs: 0, history: 1 },
    { kind: "bucket", name: BUCKETS.snapshots, description: "entity snapshots", ttlMs: 0, history: 1 },
    { kind: "bucket", name: BUCKETS.champions, description: "champion model pointer per symbol (promotions are compare-and-set)", ttlMs: 0, history: 5, cas: true },
    { kind: "bucket", name: BUCKETS.regionDedupe, description: "per-partition sender windows of sharded regions, handed over with the partition", ttlMs: 0, history: 1 },
  ];
}
