/**
 * A read many callers may ask for at once, each needing an answer read after it asked: one read
 * runs at a time, and every caller that asks while it runs shares the one read after it. So a
 * burst of N callers costs at most two reads, and nobody gets an answer older than its question.
 */
export class CoalescedRead<T> {
  readonly #read: () => Promise<T>;
  #running: Promise<T> | null = null;
  #next: Promise<T> | null = null;

  constructor(read: () => Promise<T>) {
    this.#read = read;
  }

  get(): Promise<T> {
    const running = this.#running;
    if (running === null) return this.#start();
    const settled = () => {
      this.#next = null;
      return this.#start();
    };
    return (this.#next ??= running.then(settled, settled));
  }

  #start(): Promise<T> {
    const p = this.#read();
    this.#running = p;
    const done = () => {
      if (this.#running === p) this.#running = null;
    };
    p.then(done, done);
    return p;
  }
}
