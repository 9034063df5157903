import type { NatsConnection } from "@nats-io/nats-core";
import { nanos } from "@nats-io/nats-core";
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type Consumer, type ConsumerConfig } from "@nats-io/jetstream";

export interface PartitionConsumerSpec {
  durable: string;
  subjectPrefix: string;
  partition: number;
  maxAckPending: number;
  ackWaitMs: number;
}

/**
 * One durable per partition: nats-server 2.9 allows one filter subject per consumer, so the
 * partition is a subject token. AckPolicy.All: one ack covers the durable prefix.
 * `startSeq` resumes right after an acknowledged prefix.
 */
export function partitionConsumerConfig(spec: PartitionConsumerSpec, startSeq?: number): ConsumerConfig {
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    filter_subject: `${spec.subjectPrefix}.${spec.partition}.>`,
    ack_policy: AckPolicy.All,
    deliver_policy: startSeq === undefined ? DeliverPolicy.All : DeliverPolicy.StartSequence,
    max_ack_pending: spec.maxAckPending,
    ack_wait: nanos(spec.ackWaitMs),
  };
  if (startSeq !== undefined) config.opt_start_seq = startSeq;
  return config as ConsumerConfig;
}

/**
 * Recreates the durable so it starts right after the acknowledged prefix. A previous owner that
 * died (or lost its lease) leaves messages delivered but unacked; JetStream would redeliver them
 * only after ack_wait, *after* newer ones, and an entity that already folded a newer seq would
 * skip them. Starting over at the floor keeps every entity's input in stream order; what was
 * already folded is skipped by seq (snapshot lastSeq), so the overlap is harmless.
 */
export async function recreateAtFloor(
  nc: NatsConnection,
  stream: string,
  durable: string,
  configFor: (startSeq: number | undefined) => ConsumerConfig,
): Promise<Consumer> {
  const jsm = await jetstreamManager(nc);
  let floor: number | undefined;
  try {
    const info = await jsm.consumers.info(stream, durable);
    // A durable created at a start sequence reports ack floor 0 until its first ack (nats-server
    // 2.9), though everything before its start was acknowledged: without this, a second re-creation
    // before that ack read the partition's whole retained log again.
    floor = Math.max(info.ack_floor.stream_seq, (info.config.opt_start_seq ?? 1) - 1);
    await jsm.consumers.delete(stream, durable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await jsm.consumers.add(stream, configFor(floor === undefined ? undefined : floor + 1));
  return jetstream(nc).consumers.get(stream, durable);
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound;
}
