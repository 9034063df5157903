/**
 * Receiver-side admission of sequenced messages: one high-water mark per sender incarnation and
 * partition. A sender numbers its messages to a partition 1, 2, 3, ... and sends them in order,
 * so "seq <= high" is a duplicate, "seq = high + 1" is next, and anything else is a gap (an
 * earlier message has not arrived here yet) unless the sender vouches, through `base`, that all
 * lower sequences are settled on its side. The marks travel with the partition on handoff.
 */

export type Admission = "accept" | "duplicate" | "gap";

interface Mark {
  high: number;
  at: number;
}

export interface WindowsState {
  /** sender → [high-water mark, last update time (ms)] */
  senders: Record<string, [number, number]>;
}

export function admission(high: number | undefined, base: number, seq: number): Admission {
  const h = high ?? base - 1;
  if (seq <= h) return "duplicate";
  if (seq === h + 1 || seq === base) return "accept";
  return "gap";
}

export class SenderWindows {
  readonly #marks = new Map<string, Mark>();

  admit(sender: string, base: number, seq: number): Admission {
    return admission(this.#marks.get(sender)?.high, base, seq);
  }

  /** Records that `seq` from `sender` was accepted (call only after the message is enqueued). */
  commit(sender: string, seq: number, now: number): void {
    const mark = this.#marks.get(sender);
    if (mark === undefined) this.#marks.set(sender, { high: seq, at: now });
    else {
      mark.high = Math.max(mark.high, seq);
      mark.at = now;
    }
  }

  get size(): number {
    return this.#marks.size;
  }

  /**
   * The marks worth handing over: senders heard from within `retentionMs`, newest first, at most
   * `maxSenders`. A dropped sender that comes back is treated as new, which is safe once its
   * retries are long over (retries last seconds, retention is minutes).
   */
  export(now: number, retentionMs: number, maxSenders: number): WindowsState {
    const live = [...this.#marks].filter(([, m]) => now - m.at <= retentionMs);
    live.sort((a, b) => b[1].at - a[1].at);
    const senders: WindowsState["senders"] = {};
    for (const [sender, m] of live.slice(0, maxSenders)) senders[sender] = [m.high, m.at];
    return { senders };
  }

  static from(state: WindowsState | undefined): SenderWindows {
    const windows = new SenderWindows();
    for (const [sender, [high, at]] of Object.entries(state?.senders ?? {})) windows.#marks.set(sender, { high, at });
    return windows;
  }
}
