import type { WalkForwardOptions } from "../walk-forward.js";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { ParamOverrides } from "../algorithms.js";
import { LEAGUE_ALGORITHMS } from "../algorithms.js";
import type { Dataset } from "../dataset.js";
import type { TrainingRun } from "../league.js";
import type { Algorithm } from "../model-json.js";
import { requireInt } from "../validate.js";
import { TrainingAborted, TrainingFailed, TrainingPoolClosed, TrainingQueueFull } from "./errors.js";
import type { TrainingEvent, TrainingEventBody, TrainingEventListener } from "./events.js";
import { toPayload, type TrainingResult, type TrainingTask, type WorkerProgress } from "./task.js";

export interface TrainingPoolOptions {
  /** Worker threads. Default 1: on a 2-core machine one core stays for the event loop. */
  maxThreads?: number;
  /** Tasks allowed to wait beyond the running ones; more is TrainingQueueFull. Default 16. */
  maxQueue?: number;
  /** An idle worker exits after this long. Default 60 000 ms. */
  idleTimeoutMs?: number;
  onEvent?: TrainingEventListener;
  now?: () => number;
}

export interface LeagueRequest {
  algorithms?: readonly Algorithm[];
  params?: ParamOverrides;
  evaluation?: WalkForwardOptions;
  signal?: AbortSignal;
}

export interface PooledLeagueResult {
  symbol: string;
  /** Null only when every task failed. */
  naive: TrainingRun | null;
  runs: TrainingRun[];
  failures: { algorithm: Algorithm; error: Error }[];
}

const WORKER = new URL("./worker.ts", import.meta.url).href;

/**
 * The app runs under tsx, and worker threads inherit the parent's execArgv, so the TypeScript
 * worker loads with the same loader. A parent started without tsx gets it added for the workers.
 */
function workerExecArgv(): string[] {
  return process.execArgv.some((arg) => arg.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", "tsx"];
}

/** A bounded Piscina pool that trains one (symbol, algorithm) task per worker call. */
export class TrainingPool {
  readonly maxThreads: number;
  readonly maxQueue: number;
  private readonly piscina: Piscina<TrainingTask, TrainingResult>;
  private readonly listeners = new Set<TrainingEventListener>();
  private readonly now: () => number;
  private readonly unsettled = new Set<Promise<unknown>>();
  private nextTaskId = 1;
  private closed = false;

  constructor(options: TrainingPoolOptions = {}) {
    this.maxThreads = requireInt("maxThreads", options.maxThreads ?? 1, 1, 256);
    this.maxQueue = requireInt("maxQueue", options.maxQueue ?? 16, 0, 100_000);
    const idleTimeout = requireInt("idleTimeoutMs", options.idleTimeoutMs ?? 60_000, 0);
    this.now = options.now ?? Date.now;
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.piscina = new Piscina({
      filename: WORKER,
      minThreads: 0,
      maxThreads: this.maxThreads,
      maxQueue: this.maxQueue,
      idleTimeout,
      execArgv: workerExecArgv(),
    });
  }

  /** Subscribes to task events; returns the unsubscribe function. */
  onEvent(listener: TrainingEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tasks submitted and not yet settled (running + queued). */
  get pending(): number {
    return this.unsettled.size;
  }

  get capacity(): number {
    return this.maxThreads + this.maxQueue;
  }

  /** Trains one algorithm on a copy of `dataset` in a worker. Rejects with TrainingQueueFull, TrainingAborted or TrainingFailed. */
  async train<A extends Algorithm>(
    symbol: string,
    algorithm: A,
    dataset: Dataset,
    options: { params?: ParamOverrides[A]; evaluation?: WalkForwardOptions; signal?: AbortSignal } = {},
  ): Promise<TrainingResult> {
    this.admit(1);
    return this.submit(symbol, algorithm, dataset, options);
  }

  /**
   * One task per algorithm, all admitted or none (TrainingQueueFull). Failed tasks are reported in
   * `failures`; an abort rejects the whole league with TrainingAborted.
   */
  async trainLeague(symbol: string, dataset: Dataset, request: LeagueRequest = {}): Promise<PooledLeagueResult> {
    const algorithms = request.algorithms ?? LEAGUE_ALGORITHMS;
    this.admit(algorithms.length);
    const settled = await Promise.allSettled(
      algorithms.map((algorithm) => {
        const opts: { params?: ParamOverrides[Algorithm]; evaluation?: WalkForwardOptions; signal?: AbortSignal } = {};
        const params = request.params?.[algorithm];
        if (params) opts.params = params;
        if (request.evaluation) opts.evaluation = request.evaluation;
        if (request.signal) opts.signal = request.signal;
        return this.submit(symbol, algorithm, dataset, opts);
      }),
    );
    const aborted = settled.find((s) => s.status === "rejected" && s.reason instanceof TrainingAborted);
    if (aborted?.status === "rejected") throw aborted.reason;
    const result: PooledLeagueResult = { symbol, naive: null, runs: [], failures: [] };
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        result.runs.push(s.value.run);
        result.naive ??= s.value.naive;
      } else {
        result.failures.push({ algorithm: algorithms[i]!, error: s.reason as Error });
      }
    });
    return result;
  }

  /**
   * Stops accepting tasks (TrainingPoolClosed), then lets submitted tasks finish and ends the
   * workers; with `force`, cancels them instead (they reject with TrainingFailed).
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Piscina's own close() only waits for tasks already on a worker, so drain ourselves.
    if (!options.force) await Promise.allSettled(this.unsettled);
    await this.piscina.destroy();
  }

  /** `await using` tears down without waiting: a disposed scope has no use for pending results. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close({ force: true });
  }

  private admit(count: number): void {
    if (this.closed) throw new TrainingPoolClosed("training pool is closed");
    if (this.pending + count > this.capacity) throw new TrainingQueueFull(this.pending, this.capacity);
  }

  private async submit(
    symbol: string,
    algorithm: Algorithm,
    dataset: Dataset,
    options: { params?: ParamOverrides[Algorithm]; evaluation?: WalkForwardOptions; signal?: AbortSignal },
  ): Promise<TrainingResult> {
    const taskId = this.nextTaskId++;
    const emit = (body: TrainingEventBody) => this.emit({ taskId, symbol, algorithm, at: this.now(), ...body });
    if (options.signal?.aborted) {
      emit({ type: "aborted" });
      throw new TrainingAborted(`training ${symbol}/${algorithm} aborted before it started`, { cause: options.signal.reason });
    }
    const { payload, transfer } = toPayload(dataset);
    const channel = new MessageChannel();
    // Progress and the result travel on different ports; once settled, late progress is dropped.
    let settled = false;
    channel.port1.on("message", (m: WorkerProgress) => {
      if (!settled) emit(m.type === "started" ? { type: "started" } : { type: "progress", done: m.done, total: m.total });
    });
    channel.port1.unref();
    const task: TrainingTask = { symbol, algorithm, dataset: payload, progress: channel.port2 };
    if (options.params) task.params = options.params;
    if (options.evaluation) task.evaluation = options.evaluation;
    const running = this.piscina.run(task, { transferList: [...transfer, channel.port2], signal: options.signal ?? null });
    this.unsettled.add(running);
    emit({ type: "queued" });
    try {
      const result = await running;
      settled = true;
      emit({ type: "completed", metrics: result.run.metrics, fitMs: result.run.fitMs, durationMs: result.run.durationMs });
      return result;
    } catch (err) {
      settled = true;
      if (options.signal?.aborted || (err instanceof Error && err.name === "AbortError")) {
        emit({ type: "aborted" });
        throw new TrainingAborted(`training ${symbol}/${algorithm} aborted`, { cause: err });
      }
      const message = err instanceof Error ? err.message : String(err);
      emit({ type: "failed", error: message });
      throw new TrainingFailed(`training ${symbol}/${algorithm} failed: ${message}`, { cause: err });
    } finally {
      this.unsettled.delete(running);
      // The worker closes its end when done; closing ours covers tasks that never reached a worker.
      channel.port1.close();
    }
  }

  private emit(event: TrainingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not break training or other listeners.
      }
    }
  }
}
