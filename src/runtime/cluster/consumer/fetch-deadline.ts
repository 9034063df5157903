import type { ConsumerMessages } from "@nats-io/jetstream";

/**
 * Some pulls on nats-server 2.9 never get their end (neither the expiry status nor a heartbeat),
 * and the client then waits for two missed heartbeats before giving up: a 1–2 s stall of the
 * partition (measured in bench/pipeline-pull-stall.ts). So a pull is closed a little after its
 * expiry — but only while the loop waits on it, never while a delivered message is being handed
 * to a mailbox, so nothing the client holds is dropped — and the loop simply pulls again.
 *
 * Closing unsubscribes the pull's inbox: whatever the server still sends to it is lost in transit
 * (the loop sees the hole in the delivery sequence and recreates the durable at its floor). After a
 * busy stretch the event loop runs due timers before it reads the socket, so the close is decided
 * after pending I/O, and a pull that is still bringing messages gets another grace period.
 */
export const FETCH_GRACE_MS = 100;

export class FetchDeadline {
  busy = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #cleared = false;
  #seen = 0;

  constructor(
    private readonly batch: ConsumerMessages,
    expiresMs: number,
  ) {
    this.#arm(expiresMs + FETCH_GRACE_MS);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => setImmediate(() => this.#check()), ms);
  }

  #check(): void {
    if (this.#cleared) return;
    const received = this.batch.getReceived();
    if (this.busy || received !== this.#seen) {
      this.#seen = received;
      this.#arm(FETCH_GRACE_MS);
    } else {
      void this.batch.close();
    }
  }

  clear(): void {
    this.#cleared = true;
    clearTimeout(this.#timer);
  }
}
