/**
 * An actor that owns a long-running async loop (a JetStream consumer, a socket reader). The loop
 * starts with the actor and is aborted when it stops; if the loop fails, the actor fails, so the
 * parent's strategy restarts it with backoff like any other child.
 */
import type { Actor } from "../../runtime/actor/types.js";

export type LoopMessage = { type: "loop-failed"; error: unknown } | { type: "loop-ended" };

export function loopActor(run: (signal: AbortSignal) => Promise<void>): () => Actor<LoopMessage> {
  return () => {
    let controller: AbortController | undefined;
    let running: Promise<void> | undefined;
    return {
      preStart(ctx) {
        controller = new AbortController();
        const signal = controller.signal;
        running = run(signal).then(
          () => {
            if (!signal.aborted) ctx.self.tryTell({ type: "loop-ended" });
          },
          (error: unknown) => {
            if (!signal.aborted) ctx.self.tryTell({ type: "loop-failed", error });
          },
        );
      },
      receive(message) {
        // Both are failures: a loop is meant to run until the actor stops it.
        if (message.type === "loop-failed") throw message.error;
        throw new Error("the loop ended on its own");
      },
      async postStop() {
        controller?.abort();
        await running;
      },
    };
  };
}
