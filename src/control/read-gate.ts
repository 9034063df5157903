/**
 * Bounds the stream reads the web pages can start: each read of the last messages of a subject is
 * a consumer on the server and may walk a large part of a stream, so only a few run at once, a few
 * more wait their turn, and the rest are refused at once (StreamReadsBusy) instead of piling up.
 */

export class StreamReadsBusy extends Error {
  override readonly name = "StreamReadsBusy";
  readonly retryable = true;
}

export interface ReadGateOptions {
  /** Reads running at once. Default 2. */
  maxRunning?: number;
  /** Reads waiting for a turn; one more is refused. Default 8. */
  maxWaiting?: number;
}

export class ReadGate {
  readonly maxRunning: number;
  readonly maxWaiting: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(o: ReadGateOptions = {}) {
    this.maxRunning = o.maxRunning ?? 2;
    this.maxWaiting = o.maxWaiting ?? 8;
    if (!Number.isInteger(this.maxRunning) || this.maxRunning < 1) throw new RangeError(`ReadGate maxRunning must be a positive integer (got ${this.maxRunning})`);
    if (!Number.isInteger(this.maxWaiting) || this.maxWaiting < 0) throw new RangeError(`ReadGate maxWaiting must be a non-negative integer (got ${this.maxWaiting})`);
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxRunning) {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new StreamReadsBusy(`${this.#running} stream reads are running and ${this.#waiting.length} waiting: try again in a moment`);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await read();
    } finally {
      // Hand the slot straight to the next waiter (the running count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

const gates = new WeakMap<object, ReadGate>();

/** One gate per JetStream client, i.e. per web server's control services. */
export function readGateFor(owner: object, o?: ReadGateOptions): ReadGate {
  let gate = gates.get(owner);
  if (!gate) gates.set(owner, (gate = new ReadGate(o)));
  return gate;
}
