import { nanos, TimeoutError, type NatsConnection } from "@nats-io/nats-core";
import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  DiscardPolicy,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { casBucketReplicas, clusterSize, isTooFewPeers, replicasFor } from "./cluster-size.js";
import { BootstrapFailed, IncompatibleStreamConfig } from "./errors.js";
import type { BucketSpec, LogSpec, StreamSpec } from "./spec.js";

export type BootstrapAction = "created" | "updated" | "unchanged";

export interface BootstrapResult {
  name: string;
  kind: LogSpec["kind"];
  action: BootstrapAction;
  replicas: number;
  /** Fields changed by an update, e.g. ["max_age", "subjects"]. */
  changed: string[];
}

export interface BootstrapOptions {
  /** Force a replica count instead of min(3, cluster size). */
  replicas?: number;
}

/** The JetStream stream behind a KV bucket. */
export function bucketStreamName(bucket: string): string {
  return `KV_${bucket}`;
}

/**
 * Makes the server hold every stream and bucket in `specs`: creates what is missing, updates
 * compatible differences (limits, subjects added, description, replicas), never deletes a stream
 * or removes a subject, and throws IncompatibleStreamConfig for changes that cannot be made in
 * place (storage, retention). Safe to run from every node at every start.
 */
export async function bootstrap(nc: NatsConnection, specs: LogSpec[], options: BootstrapOptions = {}): Promise<BootstrapResult[]> {
  const jsm = await jetstreamManager(nc, { timeout: 2000 });
  const replicas = options.replicas ?? replicasFor(clusterSize(nc));
  const casReplicas = Math.min(replicas, casBucketReplicas(nc));
  const results: BootstrapResult[] = [];
  for (const spec of specs) {
    results.push(spec.kind === "stream" ? await ensureStream(nc, jsm, spec, replicas) : await ensureBucket(nc, jsm, spec, spec.cas ? casReplicas : replicas));
  }
  return results;
}

function streamConfigOf(spec: StreamSpec): Partial<StreamConfig> {
  return {
    name: spec.name,
    subjects: spec.subjects,
    description: spec.description,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: spec.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    max_msgs_per_subject: spec.maxMsgsPerSubject,
    duplicate_window: nanos(spec.maxAgeMs > 0 ? Math.min(spec.duplicateWindowMs, spec.maxAgeMs) : spec.duplicateWindowMs),
  };
}

/** Stream info, undefined when absent. Retries errors: a stream that another node has just created answers nothing until it has a leader. */
async function info(jsm: JetStreamManager, name: string, attempts = 5): Promise<StreamInfo | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await jsm.streams.info(name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined;
      if (attempt >= attempts) throw new BootstrapFailed(name, { cause: err });
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/**
 * In a clustered JetStream a new stream answers publishes only once its own RAFT group has
 * elected a leader, shortly after `add` returns; until then publishes fail with "no responders".
 */
export async function waitForStreamLeader(nc: NatsConnection, name: string, timeoutMs = 15_000): Promise<void> {
  // A short API timeout: a leaderless stream does not answer INFO at all.
  const jsm = await jetstreamManager(nc, { timeout: 1000 });
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const si = await jsm.streams.info(name).catch(() => undefined);
    if (si && (!si.cluster || si.cluster.leader)) return;
    if (Date.now() > deadline) throw new BootstrapFailed(name, { cause: new Error(`no stream leader after ${timeoutMs} ms`) });
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** JetStream API requests that time out are asked again this many times in all. */
const TIMEOUT_ATTEMPTS = 4;

/**
 * Tries `replicas`, then fewer, while the server says there are too few peers. A request that
 * timed out (a loaded server: two nodes starting together in CI crashed one on it) is asked again:
 * it may have been applied, and adding or updating to the same config is idempotent.
 */
async function withReplicaFallback<T>(name: string, replicas: number, attempt: (replicas: number) => Promise<T>): Promise<{ value: T; replicas: number }> {
  let timeouts = 0;
  for (let r = replicas; ; ) {
    try {
      return { value: await attempt(r), replicas: r };
    } catch (err) {
      if (r > 1 && isTooFewPeers(err)) {
        r--;
        continue;
      }
      if (err instanceof TimeoutError && ++timeouts < TIMEOUT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 250 * timeouts));
        continue;
      }
      if (err instanceof IncompatibleStreamConfig) throw err;
      throw new BootstrapFailed(name, { cause: err });
    }
  }
}

export async function ensureStream(nc: NatsConnection, jsm: JetStreamManager, spec: StreamSpec, replicas: number): Promise<BootstrapResult> {
  const want = streamConfigOf(spec);
  const existing = await info(jsm, spec.name);
  if (!existing) {
    const { replicas: r } = await withReplicaFallback(spec.name, replicas, (r) => jsm.streams.add({ ...want, name: spec.name, num_replicas: r }));
    await waitForStreamLeader(nc, spec.name);
    return { name: spec.name, kind: "stream", action: "created", replicas: r, changed: [] };
  }
  return updateIfDifferent(jsm, existing, want, replicas, "stream");
}

/**
 * The stream config nats.js's Kvm would create for a bucket (2.9-compatible). Created with a plain
 * idempotent `streams.add` rather than `Kvm.create`, whose INFO-first check times out while a
 * bucket another node just created has no stream leader yet.
 */
function bucketStreamConfig(spec: BucketSpec, replicas: number): StreamConfig {
  return {
    name: bucketStreamName(spec.name),
    subjects: [`$KV.${spec.name}.>`],
    description: spec.description,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_msgs_per_subject: spec.history,
    max_msgs: -1,
    max_bytes: -1,
    max_msg_size: -1,
    max_age: nanos(spec.ttlMs),
    allow_rollup_hdrs: true,
    allow_direct: true,
    num_replicas: replicas,
  } as StreamConfig;
}

export async function ensureBucket(nc: NatsConnection, jsm: JetStreamManager, spec: BucketSpec, replicas: number): Promise<BootstrapResult> {
  const stream = bucketStreamName(spec.name);
  const existing = await info(jsm, stream);
  if (!existing) {
    const { replicas: r } = await withReplicaFallback(stream, replicas, (r) => jsm.streams.add(bucketStreamConfig(spec, r)));
    await waitForStreamLeader(nc, stream);
    return { name: spec.name, kind: "bucket", action: "created", replicas: r, changed: [] };
  }
  const want: Partial<StreamConfig> = {
    description: spec.description,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(spec.ttlMs),
    max_msgs_per_subject: spec.history,
  };
  const result = await updateIfDifferent(jsm, existing, want, replicas, "bucket");
  return { ...result, name: spec.name };
}

/** Diffs the fields we own; refuses changes the server cannot make without losing data. */
export function diffStreamConfig(current: StreamConfig, want: Partial<StreamConfig>): { changed: string[]; next: StreamConfig } {
  if (want.storage !== undefined && current.storage !== want.storage) {
    throw new IncompatibleStreamConfig(current.name, "storage", `is ${current.storage}, want ${want.storage}: recreate the stream by hand`);
  }
  if (want.retention !== undefined && current.retention !== want.retention) {
    throw new IncompatibleStreamConfig(current.name, "retention", `is ${current.retention}, want ${want.retention}: recreate the stream by hand`);
  }
  const next: StreamConfig = { ...current };
  const changed: string[] = [];
  if (want.subjects) {
    // Only add subjects: dropping one would silently stop capturing publishes other nodes may still make.
    const union = [...new Set([...(current.subjects ?? []), ...want.subjects])];
    if (union.length !== (current.subjects ?? []).length) {
      next.subjects = union;
      changed.push("subjects");
    }
  }
  for (const field of ["description", "max_age", "max_bytes", "duplicate_window", "max_msgs_per_subject", "discard"] as const) {
    const value = want[field];
    if (value !== undefined && current[field] !== value) {
      (next as Record<string, unknown>)[field] = value;
      changed.push(field);
    }
  }
  return { changed, next };
}

async function updateIfDifferent(
  jsm: JetStreamManager,
  existing: StreamInfo,
  want: Partial<StreamConfig>,
  replicas: number,
  kind: LogSpec["kind"],
): Promise<BootstrapResult> {
  const name = existing.config.name;
  const { changed, next } = diffStreamConfig(existing.config, want);
  let r = existing.config.num_replicas;
  const wantMoreReplicas = replicas > r;
  if (changed.length === 0 && !wantMoreReplicas) return { name, kind, action: "unchanged", replicas: r, changed };
  // Scale up when the cluster grew; never scale down here (a shrunk cluster is more likely a
  // transient outage than an intent, and fewer copies risks data).
  const target = wantMoreReplicas ? replicas : r;
  const done = await withReplicaFallback(name, target, (rr) => jsm.streams.update(name, { ...next, num_replicas: rr }));
  r = done.replicas;
  const allChanged = r !== existing.config.num_replicas ? [...changed, "num_replicas"] : changed;
  if (allChanged.length === 0) return { name, kind, action: "unchanged", replicas: r, changed: [] };
  return { name, kind, action: "updated", replicas: r, changed: allChanged };
}
