/**
 * The base of a named error that says whether trying again can help:
 *
 *   class ChampionConflict extends namedError("ChampionConflict", { retryable: true }) {}
 *
 * Each call makes its own base, so `instanceof` sees only the class itself and `Error`. `name` and
 * `retryable` are own fields set right after `Error`'s constructor, as a class's own field
 * initialisers would be; the constructor is `Error`'s, with the message required. A subclass with
 * its own constructor builds its message and passes it (and `{ cause }`) to `super`.
 */
export function namedError<const Name extends string, const Retryable extends boolean>(name: Name, flags: { retryable: Retryable }) {
  return class NamedError extends Error {
    override readonly name: Name = name;
    /** Whether a supervisor or caller may try the same thing again. */
    readonly retryable: Retryable = flags.retryable;
    constructor(message: string, options?: ErrorOptions) {
      super(message, options);
    }
  };
}
