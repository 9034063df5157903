import type { RuntimeEvent } from "./types.js";

export type RuntimeEventListener = (event: RuntimeEvent) => void;

/** The system's event stream: live listeners plus a bounded ring of the most recent events. */
export class EventStream {
  readonly #listeners = new Set<RuntimeEventListener>();
  readonly #ring: (RuntimeEvent | undefined)[];
  #next = 0;
  #size = 0;
  #listenerErrors = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Array<RuntimeEvent | undefined>(capacity);
  }

  /** Returns an unsubscribe function. */
  on(listener: RuntimeEventListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  emit(event: RuntimeEvent): void {
    if (this.capacity > 0) {
      this.#ring[this.#next] = event;
      this.#next = (this.#next + 1) % this.capacity;
      if (this.#size < this.capacity) this.#size++;
    }
    for (const listener of this.#listeners) {
      // A broken listener (e.g. a dashboard socket) must not break the actor that emitted.
      try {
        listener(event);
      } catch {
        this.#listenerErrors++;
      }
    }
  }

  /** Up to `limit` most recent events, oldest first. */
  recent(limit = this.capacity): RuntimeEvent[] {
    const n = Math.max(0, Math.min(limit, this.#size));
    const out: RuntimeEvent[] = [];
    for (let i = n; i > 0; i--) {
      const event = this.#ring[(this.#next - i + this.capacity) % this.capacity];
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  /** Listener calls that threw (and were contained). */
  get listenerErrors(): number {
    return this.#listenerErrors;
  }
}
