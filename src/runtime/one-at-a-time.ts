/**
 * Runs async jobs one at a time, in call order. A job called while none is running starts at once,
 * in the caller's turn, so it can take state (e.g. swap a buffer out) before its first `await`;
 * otherwise it starts once the job before it has settled, whatever that ended in.
 */
export class OneAtATime {
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#queued === 0 ? job() : this.#tail.then(job);
    this.#queued++;
    this.#tail = result.then(settled, settled).then(() => void this.#queued--);
    return result;
  }

  /** Resolves once the jobs called so far have all settled. */
  idle(): Promise<void> {
    return this.#tail;
  }
}

function settled(): void {}
