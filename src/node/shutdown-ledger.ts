/**
 * What a shutdown did with the node's data, gathered from the components: rows flushed (lake
 * commits, serving writes), batches spooled to disk (ingest), and messages left in the log for the
 * next owner to replay (per durable consumer). Components open an account when they start; the
 * node begins the ledger when shutdown begins (baselines), counts the log before closing NATS, and
 * prints one summary at the end (shutdown-summary.ts).
 */
import type { JetStreamManager } from "@nats-io/jetstream";

/** Messages the next owner of a durable consumer replays: fetched here and not acknowledged, and not fetched yet. */
export interface LogRemainder {
  unacked: number;
  undelivered?: number;
  /** Counted by this node (NATS unreachable): what it held unacknowledged; the log may hold more. */
  localOnly?: boolean;
}

export interface ShutdownFigures {
  flushed?: Record<string, number | "unknown">;
  spooled?: Record<string, number | "unknown">;
  leftInLog?: Record<string, LogRemainder | "unknown">;
}

/** A durable consumer whose backlog is counted before NATS closes. */
export interface LogDurable {
  stream: string;
  durable: string;
}

/** An account's view once shutdown began. */
export interface AccountPeriod {
  /** Durable consumers this component read from when shutdown began. */
  durables?: LogDurable[];
  /** Called at the end, after every step; figures since `begin`. */
  figures(): ShutdownFigures;
}

/** How a durable is named in the summary (and in an account's own `leftInLog`): `STREAM/durable`. */
export function durableKey(d: LogDurable): string {
  return `${d.stream}/${d.durable}`;
}

export class ShutdownLedger {
  readonly #accounts = new Map<string, () => AccountPeriod>();
  #periods: AccountPeriod[] | undefined;
  #counted: Record<string, LogRemainder | "unknown"> = {};

  /** `begin` is called when shutdown begins (take baselines there). */
  account(name: string, begin: () => AccountPeriod): this {
    this.#accounts.set(name, begin);
    return this;
  }

  begin(): void {
    this.#periods ??= [...this.#accounts.values()].map((begin) => begin());
  }

  /**
   * Asks JetStream how much each durable still holds, for at most `timeoutMs`; a durable it cannot
   * ask about in that time (NATS gone) stays "unknown".
   */
  async countLog(jsm: Pick<JetStreamManager, "consumers">, timeoutMs: number): Promise<void> {
    const durables = (this.#periods ?? []).flatMap((p) => p.durables ?? []);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<"gave-up">((resolve) => (timer = setTimeout(() => resolve("gave-up"), timeoutMs)));
    await Promise.all(
      durables.map(async ({ stream, durable }) => {
        const key = durableKey({ stream, durable });
        this.#counted[key] = "unknown";
        try {
          const info = await Promise.race([jsm.consumers.info(stream, durable), gaveUp]);
          if (info !== "gave-up") this.#counted[key] = { unacked: info.num_ack_pending, undelivered: info.num_pending };
        } catch {
          // NATS gone or the consumer deleted: stays unknown.
        }
      }),
    );
    clearTimeout(timer);
  }

  /** Every account's figures, with the log counts merged in (a component's own local count wins over "unknown"). */
  figures(): ShutdownFigures {
    const out: Required<ShutdownFigures> = { flushed: {}, spooled: {}, leftInLog: {} };
    for (const p of this.#periods ?? []) {
      for (const d of p.durables ?? []) out.leftInLog[durableKey(d)] ??= "unknown";
    }
    Object.assign(out.leftInLog, this.#counted);
    for (const p of this.#periods ?? []) {
      let f: ShutdownFigures;
      try {
        f = p.figures();
      } catch {
        continue;
      }
      Object.assign(out.flushed, f.flushed);
      Object.assign(out.spooled, f.spooled);
      for (const [key, value] of Object.entries(f.leftInLog ?? {})) {
        if (out.leftInLog[key] === undefined || out.leftInLog[key] === "unknown") out.leftInLog[key] = value;
      }
    }
    return out;
  }
}
