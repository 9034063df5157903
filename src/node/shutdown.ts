/**
 * Graceful shutdown in a fixed order, whatever order components registered in:
 * stop intake → drain mailboxes → flush → release leases → close connections. Each step runs
 * under its own deadline inside the overall bound (see shutdown-budget.ts); a step that overruns
 * is abandoned — its signal aborts, the sequence moves on — so the sequence always ends in time.
 */
import { systemClock, type Clock } from "../runtime/clock.js";
import { SHUTDOWN_PHASES, stepBudgetMs, type ShutdownPhase } from "./shutdown-budget.js";

/** What a running step is given: its time, and a signal that aborts when that time is up. */
export interface StepDeadline {
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ShutdownStep {
  phase: ShutdownPhase;
  name: string;
  run: (deadline: StepDeadline) => Promise<void> | void;
}

export interface StepResult {
  phase: ShutdownPhase;
  name: string;
  ms: number;
  budgetMs: number;
  error?: string;
  /** It overran its budget and was left running; the sequence went on without it. */
  abandoned?: boolean;
}

export interface ShutdownReport {
  steps: StepResult[];
  /** From the start of the sequence to its end. */
  ms: number;
  totalMs: number;
}

export interface ShutdownRunOptions {
  /** The bound for the whole sequence (ms). Default 30 s. */
  totalMs?: number;
  /** Told about each step as it ends (for a live log line, e.g. when one is abandoned). */
  onStep?: (result: StepResult) => void;
  clock?: Clock;
}

export const DEFAULT_SHUTDOWN_MS = 30_000;

/** The step overran its budget. */
export class ShutdownStepAbandoned extends Error {
  override readonly name = "ShutdownStepAbandoned";
  constructor(step: string, budgetMs: number) {
    super(`${step}: still running after its ${budgetMs} ms budget; abandoned`);
  }
}

export class ShutdownSequence {
  readonly #steps: ShutdownStep[] = [];
  #running: Promise<ShutdownReport> | undefined;

  add(phase: ShutdownPhase, name: string, run: ShutdownStep["run"]): this {
    this.#steps.push({ phase, name, run });
    return this;
  }

  /**
   * Runs every step once, phase by phase; within a phase, the latest registered first (what
   * started last stops first). A failing or abandoned step is reported and does not stop the
   * others. A second call returns the first call's report (its options are ignored).
   */
  run(options: ShutdownRunOptions = {}): Promise<ShutdownReport> {
    this.#running ??= this.#runOnce(options);
    return this.#running;
  }

  async #runOnce({ totalMs = DEFAULT_SHUTDOWN_MS, onStep, clock = systemClock }: ShutdownRunOptions): Promise<ShutdownReport> {
    const began = clock.now();
    const report: ShutdownReport = { steps: [], ms: 0, totalMs };
    for (const phase of SHUTDOWN_PHASES) {
      const steps = this.#steps.filter((s) => s.phase === phase).reverse();
      for (const [index, step] of steps.entries()) {
        const budgetMs = stepBudgetMs(totalMs, phase, clock.now() - began, { index, of: steps.length });
        const result = await runWithDeadline(step, budgetMs, clock);
        report.steps.push(result);
        onStep?.(result);
      }
    }
    report.ms = clock.now() - began;
    return report;
  }
}

async function runWithDeadline(step: ShutdownStep, budgetMs: number, clock: Clock): Promise<StepResult> {
  const started = clock.now();
  const controller = new AbortController();
  let timer: { cancel(): void } | undefined;
  const overrun = new Promise<"abandoned">((resolve) => {
    timer = clock.setTimeout(() => resolve("abandoned"), budgetMs);
  });
  const base = { phase: step.phase, name: step.name, budgetMs };
  try {
    const work = Promise.resolve().then(() => step.run({ timeoutMs: budgetMs, signal: controller.signal }));
    work.catch(() => {}); // an abandoned step may still fail later: nobody is waiting for it then
    const outcome = await Promise.race([work.then(() => "done" as const), overrun]);
    if (outcome === "abandoned") {
      controller.abort(new ShutdownStepAbandoned(step.name, budgetMs));
      return { ...base, ms: clock.now() - started, abandoned: true, error: `abandoned after ${budgetMs} ms` };
    }
    return { ...base, ms: clock.now() - started };
  } catch (err) {
    return { ...base, ms: clock.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    timer?.cancel();
  }
}
