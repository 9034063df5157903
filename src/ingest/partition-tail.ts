/**
 * Reading a partition subject's tail (partition-log.ts): every key's last id as of the subject's
 * last message, from the last checkpoint forward. The publisher's lanes (sender.ts) and the
 * stand-alone writer (partition-writer.ts) read it before their first publish and after a conflict.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { readStreamSlice } from "../runtime/nats/stream-slice.js";
import { advanceTail, decodePartitionMessage, emptyTail, type PartitionTail } from "./partition-log.js";

/** A message on the subject that is not a partition message, or a tail read that found a hole. */
export class PartitionTailUnreadable extends Error {
  override readonly name = "PartitionTailUnreadable";
}

/**
 * The subject's tail: from its last message, if that is a checkpoint; else from the checkpoint it
 * names, folding forward; else (no checkpoint, or it aged out) from the subject's first message.
 */
export async function readPartitionTail(js: JetStreamClient, jsm: JetStreamManager, stream: string, subject: string): Promise<PartitionTail> {
  const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (last === null) return emptyTail();
  const top = decodePartitionMessage(last.data);
  const tail = emptyTail();
  if (top.checkpoint !== null) {
    advanceTail(tail, last.seq, top);
    return tail;
  }
  if (top.checkpointSeq !== undefined) {
    const cp = await jsm.streams.getMessage(stream, { seq: top.checkpointSeq }).catch(() => null);
    if (cp !== null && cp.subject === subject) advanceTail(tail, cp.seq, decodePartitionMessage(cp.data));
  }
  await foldForward(js, stream, subject, tail, last.seq);
  return tail;
}

/** Folds the subject's messages after `tail.seq`, at least up to `upTo`, into the tail. */
export async function foldForward(js: JetStreamClient, stream: string, subject: string, tail: PartitionTail, upTo: number): Promise<void> {
  if (upTo <= tail.seq) return;
  await readStreamSlice(js, { stream, subject, startSeq: tail.seq + 1, endSeq: upTo }, (m) => advanceTail(tail, m.seq, decodePartitionMessage(m.data)));
  if (tail.seq < upTo) throw new PartitionTailUnreadable(`${stream} ${subject}: the tail read stopped at seq ${tail.seq}, before ${upTo}`);
}
