import type { Logger } from "../runtime/log.js";

/** How long a process that finished its shutdown may take to exit on its own before it is made to. */
const IDLE_GRACE_MS = 5000;

/**
 * The last line of defence of the shutdown bound, armed when the signal arrives. The shutdown
 * itself ends in time (each step has a deadline) and then closes everything it opened, so the event
 * loop empties and the process exits by itself; if something still holds it open, this names what
 * (Node's active resources) and exits with code 1. It holds nothing open itself (unref'd timer).
 */
export class ExitBackstop {
  readonly #log: Logger;
  readonly #deadline: number;
  readonly #exit: (code: number) => void;
  #timer: ReturnType<typeof setTimeout>;
  #finished = false;

  constructor(log: Logger, boundMs: number, exit: (code: number) => void = (code) => process.exit(code)) {
    this.#log = log;
    this.#deadline = Date.now() + boundMs;
    this.#exit = exit;
    this.#timer = this.#arm(boundMs);
  }

  /** The shutdown returned: from now on the process should exit by itself, and soon. */
  finished(): void {
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = this.#arm(Math.min(IDLE_GRACE_MS, Math.max(500, this.#deadline - Date.now())));
  }

  #arm(ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#fire(), ms);
    timer.unref();
    return timer;
  }

  #fire(): void {
    const handles = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
    if (this.#finished) this.#log.error("stopped, but something still holds the process open; exiting with code 1", { handles });
    else this.#log.error("shutdown did not end within SHUTDOWN_TIMEOUT; exiting with code 1", { handles });
    this.#exit(1);
  }
}
