/**
 * Graceful shutdown in a fixed order, whatever order components registered in:
 * stop intake → drain mailboxes → flush → release leases → close connections.
 */
export const SHUTDOWN_PHASES = ["stop-intake", "drain", "flush", "release", "close"] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export interface ShutdownStep {
  phase: ShutdownPhase;
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownReport {
  steps: { phase: ShutdownPhase; name: string; ms: number; error?: string }[];
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
   * started last stops first). A failing step is reported and does not stop the others.
   */
  run(): Promise<ShutdownReport> {
    this.#running ??= this.#runOnce();
    return this.#running;
  }

  async #runOnce(): Promise<ShutdownReport> {
    const report: ShutdownReport = { steps: [] };
    for (const phase of SHUTDOWN_PHASES) {
      const steps = this.#steps.filter((s) => s.phase === phase).reverse();
      for (const step of steps) {
        const started = performance.now();
        try {
          await step.run();
          report.steps.push({ phase, name: step.name, ms: performance.now() - started });
        } catch (err) {
          report.steps.push({ phase, name: step.name, ms: performance.now() - started, error: (err as Error).message });
        }
      }
    }
    return report;
  }
}
