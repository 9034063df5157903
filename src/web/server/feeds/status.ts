/**
 * Polls the node's status provider once a second while someone listens, and shares each
 * result with every listener (N browsers cost one provider call per second, not N).
 */
import type { NodeStatus } from "../../../runtime/status.js";
import { StatusUnavailable } from "../errors.js";

export type StatusResult = { ok: true; nodes: NodeStatus[]; at: number } | { ok: false; error: string; at: number };
export type StatusListener = (r: StatusResult) => void;

export class StatusPoller {
  readonly #listeners = new Set<StatusListener>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wake: (() => void) | null = null;
  #running = false;
  #last: StatusResult | null = null;
  #closed = false;

  constructor(
    private readonly provider: () => Promise<NodeStatus[]>,
    readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** One provider call now (for the `system.status` query); throws StatusUnavailable. */
  async fetch(): Promise<NodeStatus[]> {
    try {
      return await this.provider();
    } catch (err) {
      throw new StatusUnavailable(`status provider failed: ${(err as Error).message}`, { cause: err });
    }
  }

  last(): StatusResult | null {
    return this.#last;
  }

  listen(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    if (!this.#running && !this.#closed) void this.#loop();
    return () => this.#listeners.delete(listener);
  }

  async #loop(): Promise<void> {
    this.#running = true;
    while (this.#listeners.size > 0 && !this.#closed) {
      let result: StatusResult;
      try {
        result = { ok: true, nodes: await this.fetch(), at: this.now() };
      } catch (err) {
        result = { ok: false, error: (err as Error).message, at: this.now() };
      }
      this.#last = result;
      for (const l of this.#listeners) l(result);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, this.intervalMs);
      });
    }
    this.#running = false;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#wake?.();
    this.#listeners.clear();
  }
}
