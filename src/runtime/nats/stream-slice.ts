/**
 * Reads a slice of a stream in order, one message at a time, through an ordered consumer (works on
 * nats-server 2.9). The caller folds each message into its accumulators: nothing is kept here.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";

export interface StreamSlice {
  stream: string;
  subject: string;
  /** Start at the first message stored at or after this time (ms); otherwise at the stream's start. */
  startTime?: number | null;
  /** Start at this sequence (wins over startTime). */
  startSeq?: number;
  /** Last sequence to read (inclusive). */
  endSeq: number;
  /** Names the ephemeral consumer `<prefix>_<n>` (default: a random prefix). */
  namePrefix?: string;
  /** The server deletes the consumer after this long without a pull, should this process die mid-read (ms). Default 5 min. */
  inactiveThresholdMs?: number;
}

export interface SliceRead {
  fromSeq: number | null;
  toSeq: number | null;
  messages: number;
}

/** Messages kept in flight: a thousand 100 kB trade batches in one pull overran the connection. */
const IN_FLIGHT = 200;
/** No message for this long while the consumer still has some pending: give up rather than hang. */
const STALL_MS = 30_000;

/** The slice could not be read to its end: a report from part of it would hide what it left out. */
export class StreamSliceStalled extends Error {
  override readonly name = "StreamSliceStalled";
}

/** `signal`: an abort stops the read and throws its reason (the consumer is deleted either way). */
export async function readStreamSlice(js: JetStreamClient, slice: StreamSlice, each: (m: JsMsg) => void, signal?: AbortSignal): Promise<SliceRead> {
  const out: SliceRead = { fromSeq: null, toSeq: null, messages: 0 };
  if (slice.endSeq < 1) return out;
  signal?.throwIfAborted();
  const start =
    slice.startSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: slice.startSeq }
      : slice.startTime !== undefined && slice.startTime !== null
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(slice.startTime).toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const consumer = await js.consumers.get(slice.stream, {
    filter_subjects: slice.subject,
    ...start,
    ...(slice.namePrefix ? { name_prefix: slice.namePrefix } : {}),
    ...(slice.inactiveThresholdMs ? { inactive_threshold: slice.inactiveThresholdMs } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let unlisten = () => {};
  try {
    if ((await consumer.info(true)).num_pending === 0) return out;
    // consume() keeps pulls going while we fold (fetch() waits out its expiry on a byte limit).
    const messages = await consumer.consume({ max_messages: IN_FLIGHT });
    let done = false;
    const onAbort = () => void messages.stop();
    signal?.addEventListener("abort", onAbort, { once: true });
    unlisten = () => signal?.removeEventListener("abort", onAbort);
    if (signal?.aborted) onAbort();
    const watchdog = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void messages.stop(), STALL_MS);
    };
    watchdog();
    for await (const m of messages) {
      watchdog();
      if (m.seq <= slice.endSeq) {
        out.fromSeq ??= m.seq;
        out.toSeq = m.seq;
        out.messages++;
        each(m);
      }
      if (m.seq >= slice.endSeq || m.info.pending === 0) {
        done = true;
        messages.stop();
        break;
      }
    }
    signal?.throwIfAborted();
    if (!done) throw new StreamSliceStalled(`${slice.stream} ${slice.subject}: no message for ${STALL_MS / 1000} s after seq ${out.toSeq ?? "-"} with messages still pending before seq ${slice.endSeq}`);
  } finally {
    clearTimeout(timer);
    unlisten();
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** The stream's last sequence, or null when the stream does not exist. */
export async function streamLastSeq(jsm: JetStreamManager, stream: string): Promise<number | null> {
  try {
    return (await jsm.streams.info(stream)).state.last_seq;
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return null;
    throw err;
  }
}
