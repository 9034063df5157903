import type { KV } from "@nats-io/kv";
import type { WindowsState } from "./dedupe.js";

/**
 * The sender marks of a partition, handed from the old owner to the next through KV
 * (`<region>.p<partition>`): written at the end of a clean stop, read at the start, both under
 * the lease, so the reader always sees the last clean owner's marks.
 */
export class WindowsHandover {
  readonly #kv: KV;
  readonly #region: string;

  constructor(kv: KV, region: string) {
    this.#kv = kv;
    this.#region = region;
  }

  key(partition: number): string {
    return `${this.#region}.p${partition}`;
  }

  async load(partition: number): Promise<WindowsState | undefined> {
    const entry = await this.#kv.get(this.key(partition));
    if (entry === null || entry.operation !== "PUT" || entry.length === 0) return undefined;
    return entry.json<WindowsState>();
  }

  /** Best effort: without it the next owner admits each sender from its `base` (see SHARDING.md). */
  async save(partition: number, state: WindowsState): Promise<boolean> {
    try {
      await this.#kv.put(this.key(partition), JSON.stringify(state));
      return true;
    } catch {
      return false;
    }
  }
}
