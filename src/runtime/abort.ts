/**
 * Calls `stop` once when `signal` aborts, and at once if it already has: a listener added after an
 * abort (e.g. behind an `await` that set up a consumer) never hears of it, and the work it should
 * stop runs on. Returns the function that removes the listener.
 */
export function onAbort(signal: AbortSignal | undefined, stop: () => void): () => void {
  if (signal === undefined) return () => {};
  signal.addEventListener("abort", stop, { once: true });
  if (signal.aborted) {
    signal.removeEventListener("abort", stop);
    stop();
  }
  return () => signal.removeEventListener("abort", stop);
}
