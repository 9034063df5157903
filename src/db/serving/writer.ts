import { backoffDelay, type BackoffPolicy } from "../../runtime/backoff.js";
import { systemClock, type Clock } from "../../runtime/clock.js";
import type { Queryable } from "../database.js";
import { isDataError, toDatabaseError, type DatabaseError } from "../errors.js";
import { batchSize, type ServingBatch } from "./rows.js";
import { upsertServingBatch } from "./upsert.js";

export type WriteOutcome =
  | { type: "written"; rows: number }
  /**
   * Nothing was written (the batch is one transaction). Ack nothing. `retryable: false` only when
   * the server refused the data itself (bad value, constraint); anything else (server down, table
   * missing before migrations, permissions) may heal, so it is retried at `retryAt` (clock time).
   */
  | { type: "failed"; error: DatabaseError; retryable: boolean; retryAt: number; consecutiveFailures: number };

export interface ServingWriterStatus {
  state: "healthy" | "backing-off";
  consecutiveFailures: number;
  retryAt: number | undefined;
  lastError: string | undefined;
  rowsWritten: number;
  batchesWritten: number;
  failedAttempts: number;
}

/** Retries of a failed write: 200 ms doubling to 10 s, 20 % jitter. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };

function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  if (!(policy.initialMs > 0)) throw new RangeError(`backoff.initialMs must be > 0 (got ${policy.initialMs})`);
  if (!(policy.maxMs >= policy.initialMs)) throw new RangeError(`backoff.maxMs must be >= initialMs (got ${policy.maxMs})`);
  if (!(policy.factor >= 1)) throw new RangeError(`backoff.factor must be >= 1 (got ${policy.factor})`);
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new RangeError(`backoff.jitter must be in [0, 1) (got ${policy.jitter})`);
  return policy;
}

export interface ServingWriterOptions {
  clock?: Clock;
  backoff?: BackoffPolicy;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

/**
 * Writes serving batches (silver bars + 1m candles) with upserts in one transaction, and keeps
 * the retry schedule: after a retryable failure (PostgreSQL down) it reports when to try again,
 * growing the delay while failures continue. It never holds data itself: the caller keeps the
 * messages unacked until `write` says "written", so an outage leaves the data in the log.
 */
export class ServingWriter {
  readonly #db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> };
  readonly #clock: Clock;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  #failures = 0;
  #retryAt: number | undefined;
  #lastError: string | undefined;
  #rowsWritten = 0;
  #batchesWritten = 0;
  #failedAttempts = 0;

  constructor(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, options: ServingWriterOptions = {}) {
    this.#db = db;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = checkBackoffPolicy(options.backoff ?? DEFAULT_BACKOFF);
    this.#random = options.random ?? Math.random;
  }

  async write(batch: ServingBatch): Promise<WriteOutcome> {
    if (batchSize(batch) === 0) return { type: "written", rows: 0 };
    try {
      const rows = await upsertServingBatch(this.#db, batch);
      this.#failures = 0;
      this.#retryAt = undefined;
      this.#rowsWritten += rows;
      this.#batchesWritten += 1;
      return { type: "written", rows };
    } catch (err) {
      const error = toDatabaseError(err);
      this.#failedAttempts += 1;
      this.#lastError = error.message;
      if (isDataError(error)) return { type: "failed", error, retryable: false, retryAt: this.#clock.now(), consecutiveFailures: this.#failures };
      this.#failures += 1;
      this.#retryAt = this.#clock.now() + backoffDelay(this.#failures - 1, this.#backoff, this.#random);
      return { type: "failed", error, retryable: true, retryAt: this.#retryAt, consecutiveFailures: this.#failures };
    }
  }

  /** Milliseconds until the next attempt is due (0 when healthy or due). */
  delayBeforeNextAttempt(): number {
    return this.#retryAt === undefined ? 0 : Math.max(0, this.#retryAt - this.#clock.now());
  }

  status(): ServingWriterStatus {
    return {
      state: this.#failures > 0 ? "backing-off" : "healthy",
      consecutiveFailures: this.#failures,
      retryAt: this.#retryAt,
      lastError: this.#lastError,
      rowsWritten: this.#rowsWritten,
      batchesWritten: this.#batchesWritten,
      failedAttempts: this.#failedAttempts,
    };
  }
}
