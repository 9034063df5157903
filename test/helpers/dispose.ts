/**
 * `value` made closable by `await using`: its dispose awaits `closers` one after another, in the
 * order given (a fixture lists what it started in reverse). A closer that throws stops the rest.
 */
export function closedInOrder<T extends object>(value: T, ...closers: (() => unknown)[]): T & AsyncDisposable {
  return Object.assign(value, {
    async [Symbol.asyncDispose]() {
      for (const close of closers) await close();
    },
  });
}
