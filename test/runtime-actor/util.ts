/** Test helpers for the local runtime: drain the microtask queue instead of sleeping. */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { RuntimeEvent } from "../../src/runtime/actor/index.js";

/** Lets every already-queued microtask and immediate run (a few event-loop turns, no wall-clock wait). */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** Turns the event loop until `condition` holds; fails after a generous real-time deadline. */
export async function until(condition: () => boolean, what = "condition", timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await nextTurn();
  }
}

/** A promise with its resolve/reject exposed, to hold an async handler open. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records every event of a system, for assertions. */
export function recordEvents(events: { on(l: (e: RuntimeEvent) => void): () => void }): RuntimeEvent[] {
  const seen: RuntimeEvent[] = [];
  events.on((e) => seen.push(e));
  return seen;
}

export function ofType<T extends RuntimeEvent["type"]>(events: RuntimeEvent[], type: T): Extract<RuntimeEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RuntimeEvent, { type: T }> => e.type === type);
}
