import type { NatsConnection } from "@nats-io/nats-core";
import type { ActorFactory, ActorRef, RuntimeEvent, SpawnOptions, SupervisorStrategy } from "../../actor/types.js";
import type { Clock } from "../../clock.js";
import type { PartitionStalled } from "../consumer/stall-watchdog.js";
import { BUCKETS, REGION_SUBJECT_PREFIX } from "../../nats/spec.js";
import { type Codec, jsonCodec } from "./codec.js";
import { InvalidRegionOptions } from "./errors.js";
import type { EntityFactory } from "./entity.js";
import type { OwnershipView } from "../types.js";

/** The part of the ActorSystem a region uses (ActorSystem from src/runtime/actor satisfies it). */
export interface RegionActorSystem {
  spawn<M, R = unknown>(name: string, factory: ActorFactory<M, R>, options?: SpawnOptions): ActorRef<M, R>;
  stop(name: string, options?: { drain?: boolean }): Promise<void>;
  /** Where the region's own runtime events go (stall reports, its supervision decisions). */
  readonly events?: { emit(event: RuntimeEvent): void };
  /** The region's clock (ask deadlines, sender windows, the stall watch). Default the system clock. */
  readonly clock?: Clock;
}

/** The stall watchdog of a region with durable input (see consumer/stall-watch.ts). */
export interface StallWatchOptions {
  /** Log input waiting and no progress for this long = stalled: reported, consumer restarted. */
  stallAfterMs: number;
  /** Default stallAfterMs / 3, at least 1 s. */
  checkEveryMs?: number;
  /** Default: restart with backoff 1..30 s, at most 5 within 10 minutes. */
  strategy?: SupervisorStrategy;
  /** Default the region's clock (the actor system's). */
  clock?: Clock;
  onStall?(stall: PartitionStalled): void;
}

export interface DurableInputOptions<L> {
  /** JetStream stream holding the partition subjects. */
  stream: string;
  /** Messages for an entity live on `<subjectPrefix>.<partition>.<key>`, e.g. "md.trades". */
  subjectPrefix: string;
  /** Default JSON. */
  codec?: Codec<L>;
  /** Log messages in mailboxes not yet handled, per partition. Default 256. */
  maxInFlight?: number;
  /** Default 1000. */
  maxAckPending?: number;
  /** Default 30 s; keep it well above snapshots.everyMs. */
  ackWaitMs?: number;
  /** Default 1000 ms (the nats.js minimum); a partition stop waits up to this long for the last pull. */
  fetchExpiresMs?: number;
  /** Default 256. */
  maxBatch?: number;
  /** Default: a line on stderr. The message is acknowledged either way. */
  onUndecodable?: (subject: string, seq: number, error: unknown) => void;
  /**
   * A message that feeds several entities (e.g. a per-partition trade message): its parts, one
   * per entity key, or undefined for a message of the one entity its subject names. Default: none.
   */
  fanOut?: (subject: string, data: Uint8Array) => ReadonlyArray<readonly [string, L]> | undefined;
}

export interface ShardRegionOptions<M, L = unknown> {
  /** [A-Za-z0-9_-]+: it is part of subjects, KV keys, consumer and actor names. */
  name: string;
  entity: EntityFactory<M, L>;
  system: RegionActorSystem;
  ownership: OwnershipView;
  nc: NatsConnection;
  /** Encodes messages sent to remote entities. Default JSON. Remote ask replies are always JSON. */
  codec?: Codec<M>;
  /** Entity mailbox capacity. Default 1000. */
  mailboxCapacity?: number;
  /** How a partition supervises its entities. Default: the runtime's default strategy. */
  entitySupervisor?: SupervisorStrategy;
  /** Region requests go to `<subjectPrefix>.<name>.<partition>`. Default "rt.region". */
  subjectPrefix?: string;
  /** Per remote batch of tells. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** Default 5000 ms. */
  askTimeoutMs?: number;
  /** Tells per remote request. Default 256. */
  maxBatch?: number;
  /** Remote requests in flight per partition. Default 8. */
  window?: number;
  /** Backoff between retries of held messages. Default 10..500 ms. */
  retry?: { minMs?: number; maxMs?: number };
  dedupe?: { bucket?: string; retentionMs?: number; maxSenders?: number };
  /** Snapshots of SnapshottingEntity entities; false turns them off. */
  snapshots?: false | { bucket?: string; everyMessages?: number; everyMs?: number };
  /** Durable per-partition input from a JetStream stream. */
  input?: DurableInputOptions<L>;
  /** Watch the durable input for stalls. Default: off. */
  stallWatch?: StallWatchOptions;
}

export interface ResolvedRegionOptions<M, L> {
  name: string;
  entity: EntityFactory<M, L>;
  system: RegionActorSystem;
  ownership: OwnershipView;
  nc: NatsConnection;
  codec: Codec<M>;
  mailboxCapacity: number;
  entitySupervisor: SupervisorStrategy | undefined;
  subjectPrefix: string;
  requestTimeoutMs: number;
  askTimeoutMs: number;
  maxBatch: number;
  window: number;
  retry: { minMs: number; maxMs: number };
  dedupe: { bucket: string; retentionMs: number; maxSenders: number };
  snapshots: { bucket: string; everyMessages: number; everyMs: number } | undefined;
  input: (Required<Omit<DurableInputOptions<L>, "fanOut">> & Pick<DurableInputOptions<L>, "fanOut">) | undefined;
  stallWatch: StallWatchOptions | undefined;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

function positive(option: string, value: number, integer = true): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new InvalidRegionOptions(`${option}: must be ${integer ? "an integer " : ""}> 0, got ${value}`);
  }
  return value;
}

export function resolveRegionOptions<M, L>(o: ShardRegionOptions<M, L>): ResolvedRegionOptions<M, L> {
  if (!NAME.test(o.name)) throw new InvalidRegionOptions(`name: must match ${NAME}, got ${JSON.stringify(o.name)}`);
  const subjectPrefix = o.subjectPrefix ?? REGION_SUBJECT_PREFIX;
  if (!SUBJECT_PREFIX.test(subjectPrefix)) throw new InvalidRegionOptions(`subjectPrefix: not a literal subject: ${subjectPrefix}`);
  const retryMin = positive("retry.minMs", o.retry?.minMs ?? 10);
  const input = o.input;
  if (input !== undefined && !SUBJECT_PREFIX.test(input.subjectPrefix)) throw new InvalidRegionOptions(`input.subjectPrefix: not a literal subject: ${input.subjectPrefix}`);
  const snapshots = o.snapshots === false ? undefined : o.snapshots ?? {};
  return {
    name: o.name,
    entity: o.entity,
    system: o.system,
    ownership: o.ownership,
    nc: o.nc,
    codec: o.codec ?? jsonCodec<M>(),
    mailboxCapacity: positive("mailboxCapacity", o.mailboxCapacity ?? 1000),
    entitySupervisor: o.entitySupervisor,
    subjectPrefix,
    requestTimeoutMs: positive("requestTimeoutMs", o.requestTimeoutMs ?? 5000),
    askTimeoutMs: positive("askTimeoutMs", o.askTimeoutMs ?? 5000),
    maxBatch: positive("maxBatch", o.maxBatch ?? 256),
    window: positive("window", o.window ?? 8),
    retry: { minMs: retryMin, maxMs: Math.max(retryMin, positive("retry.maxMs", o.retry?.maxMs ?? 500)) },
    dedupe: {
      bucket: o.dedupe?.bucket ?? BUCKETS.regionDedupe,
      retentionMs: positive("dedupe.retentionMs", o.dedupe?.retentionMs ?? 600_000),
      maxSenders: positive("dedupe.maxSenders", o.dedupe?.maxSenders ?? 10_000),
    },
    snapshots:
      snapshots === undefined
        ? undefined
        : {
            bucket: snapshots.bucket ?? "rt_snapshots",
            everyMessages: positive("snapshots.everyMessages", snapshots.everyMessages ?? 100),
            everyMs: positive("snapshots.everyMs", snapshots.everyMs ?? 1000),
          },
    stallWatch: o.stallWatch === undefined ? undefined : { ...o.stallWatch, stallAfterMs: positive("stallWatch.stallAfterMs", o.stallWatch.stallAfterMs, false) },
    input:
      input === undefined
        ? undefined
        : {
            stream: input.stream,
            subjectPrefix: input.subjectPrefix,
            codec: input.codec ?? jsonCodec<L>(),
            maxInFlight: positive("input.maxInFlight", input.maxInFlight ?? 256),
            maxAckPending: positive("input.maxAckPending", input.maxAckPending ?? 1000),
            ackWaitMs: positive("input.ackWaitMs", input.ackWaitMs ?? 30_000),
            fetchExpiresMs: Math.max(1000, input.fetchExpiresMs ?? 1000),
            maxBatch: positive("input.maxBatch", input.maxBatch ?? 256),
            onUndecodable:
              input.onUndecodable ??
              ((subject, seq, error) => process.stderr.write(`region ${o.name}: undecodable log message ${subject} #${seq}: ${String(error)}\n`)),
            ...(input.fanOut === undefined ? {} : { fanOut: input.fanOut }),
          },
  };
}
