/** Named errors of the local actor runtime. Each carries the path it is about. */
import type { ActorPath } from "./types.js";

/** The actor is stopping or stopped: it takes no new messages, and queued ones it will not handle are rejected with this. */
export class ActorStopped extends Error {
  override readonly name = "ActorStopped";
  constructor(
    readonly path: ActorPath,
    options?: { cause?: unknown },
  ) {
    super(`actor ${path} is stopped`, options);
  }
}

/** An `ask` got no answer in time. The message may still be handled later; its answer is then dropped. */
export class AskTimeout extends Error {
  override readonly name = "AskTimeout";
  constructor(
    readonly path: ActorPath,
    readonly timeoutMs: number,
  ) {
    super(`ask to ${path} timed out after ${timeoutMs} ms`);
  }
}

/** For callers of `tryTell` who prefer an error: `if (!ref.tryTell(m)) throw new MailboxFull(ref.path)`. */
export class MailboxFull extends Error {
  override readonly name = "MailboxFull";
  constructor(
    readonly path: ActorPath,
    readonly capacity?: number,
  ) {
    super(capacity === undefined ? `mailbox of ${path} is full` : `mailbox of ${path} is full (capacity ${capacity})`);
  }
}

export class ActorNameTaken extends Error {
  override readonly name = "ActorNameTaken";
  constructor(
    readonly parent: ActorPath,
    readonly childName: string,
  ) {
    super(`an actor named "${childName}" already exists under ${parent}`);
  }
}

export class InvalidActorName extends Error {
  override readonly name = "InvalidActorName";
  constructor(readonly childName: string) {
    super(`invalid actor name ${JSON.stringify(childName)}: it must be non-empty and contain no "/"`);
  }
}

/** An option given to the runtime is out of range; the message names the option. */
export class InvalidActorOption extends Error {
  override readonly name = "InvalidActorOption";
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`${option}: ${detail}`);
  }
}

/** Raised in a parent when a child failed more often than its supervisor's budget allows; `cause` is the last failure. */
export class RestartBudgetExhausted extends Error {
  override readonly name = "RestartBudgetExhausted";
  constructor(
    readonly child: ActorPath,
    readonly restarts: number,
    readonly withinMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${child} failed after ${restarts} restarts within ${withinMs} ms`, options);
  }
}

/** A short text for events: the name and message of an Error, or the value itself. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
