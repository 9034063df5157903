/** The few log calls the ingest path makes; the runtime passes its own logger, tests a silent one. */
export interface IngestLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: IngestLogger = {
  info: (m, f) => console.log(`[ingest] ${m}`, f ?? ""),
  warn: (m, f) => console.warn(`[ingest] ${m}`, f ?? ""),
  error: (m, f) => console.error(`[ingest] ${m}`, f ?? ""),
};

export const silentLogger: IngestLogger = { info() {}, warn() {}, error() {} };

/** Minimal typed listener list (no EventEmitter: listeners are plain functions, errors stay with the caller). */
export class Listeners<T> {
  #fns = new Set<(value: T) => void>();
  add(fn: (value: T) => void): () => void {
    this.#fns.add(fn);
    return () => void this.#fns.delete(fn);
  }
  emit(value: T): void {
    for (const fn of this.#fns) fn(value);
  }
}
