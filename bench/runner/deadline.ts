/**
 * Deadlines for benchmark waits: a bench never hangs. On expiry the wait says what it was waiting
 * for (the `describeWaiting` callback: consumer pending counts, progress, ...) and fails with
 * BenchDeadlineExceeded, so `await using` scopes unwind and the run exits non-zero.
 * Every wait in flight is registered, so the runner's whole-bench deadline can describe them too.
 */

export type DescribeWaiting = () => string | Promise<string>;

export class BenchDeadlineExceeded extends Error {
  override readonly name = "BenchDeadlineExceeded";
  constructor(
    readonly label: string,
    readonly ms: number,
    /** What the wait was waiting for when it expired. */
    readonly waiting: string,
  ) {
    super(`deadline of ${(ms / 1000).toFixed(1)} s passed waiting for ${label}\n${indent(waiting)}`);
  }
}

/** A describer gets this long before its own answer is given up on (it may be stuck too). */
const DESCRIBE_TIMEOUT_MS = 10_000;

interface ActiveWait {
  label: string;
  since: number;
  describe: DescribeWaiting | undefined;
}

const active = new Set<ActiveWait>();

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/** Runs a describer, never longer than DESCRIBE_TIMEOUT_MS and never throwing. */
async function safeDescribe(describe: DescribeWaiting | undefined): Promise<string> {
  if (!describe) return "(no description)";
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(describe),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`(describing did not answer within ${DESCRIBE_TIMEOUT_MS / 1000} s)`), DESCRIBE_TIMEOUT_MS))),
    ]);
  } catch (err) {
    return `(describing failed: ${err instanceof Error ? err.message : String(err)})`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `work` (a promise, or a function given an AbortSignal that fires on expiry) must settle within
 * `ms`; otherwise rejects with BenchDeadlineExceeded carrying `describeWaiting()`'s answer.
 */
export async function withDeadline<T>(label: string, ms: number, work: Promise<T> | ((signal: AbortSignal) => Promise<T>), describeWaiting?: DescribeWaiting): Promise<T> {
  if (!(ms > 0)) throw new RangeError(`deadline for ${label} must be a positive number of ms (got ${ms})`);
  const abort = new AbortController();
  const entry: ActiveWait = { label, since: Date.now(), describe: describeWaiting };
  active.add(entry);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void safeDescribe(describeWaiting).then((waiting) => {
        abort.abort();
        reject(new BenchDeadlineExceeded(label, ms, waiting));
      });
    }, ms);
  });
  try {
    const running = typeof work === "function" ? work(abort.signal) : work;
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
    active.delete(entry);
  }
}

/**
 * Polls `condition` every `intervalMs` until it is truthy, under a deadline; stops polling on
 * expiry. A check that throws counts as "not yet" (a server still starting), and the last such
 * error is added to the description.
 */
export function pollUntil<T>(label: string, ms: number, condition: () => T | Promise<T>, describeWaiting?: DescribeWaiting, { intervalMs = 50 } = {}): Promise<NonNullable<T>> {
  let lastError: unknown;
  const describe = async () => {
    const text = await safeDescribe(describeWaiting);
    return lastError === undefined ? text : `${text}\nlast check failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  };
  return withDeadline(
    label,
    ms,
    async (signal) => {
      while (!signal.aborted) {
        try {
          const value = await condition();
          if (value) return value as NonNullable<T>;
        } catch (err) {
          lastError = err;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      throw signal.reason;
    },
    describe,
  );
}

/** Every wait in flight and what it is waiting for (for the runner's whole-bench deadline). */
export async function describeActiveWaits(): Promise<string> {
  if (active.size === 0) return "no bench wait in flight (the bench was computing, or waiting outside a withDeadline)";
  const parts = [...active].map(async (w) => `waiting ${((Date.now() - w.since) / 1000).toFixed(1)} s for ${w.label}\n${indent(await safeDescribe(w.describe))}`);
  return (await Promise.all(parts)).join("\n");
}
