/** The one tRPC instance: context type, router and procedure builders. */
import { initTRPC } from "@trpc/server";
import type { WebContext } from "./context.js";
import { toTRPCError } from "./errors.js";
import { releasingIterable } from "./limits.js";

// Subscriptions only over the WebSocket, where each connection has its subscription budget
// (the app has no use for Server-Sent Events, which would be one unbounded stream per request).
const t = initTRPC.context<WebContext>().create({ sse: { enabled: false } });

export const router = t.router;

/**
 * Every procedure maps the errors its resolver throws in one place (errors.ts); input
 * validation errors are already BAD_REQUEST and pass through. Subscriptions map errors raised
 * while streaming with `mapStreamErrors`.
 */
export const publicProcedure = t.procedure
  .use(async ({ next }) => {
    const result = await next();
    if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && result.error.cause !== undefined) throw toTRPCError(result.error.cause);
    return result;
  })
  .use(async ({ ctx, type, next }) => {
    // A subscription holds a place in its connection's budget until its stream ends.
    if (type !== "subscription" || ctx.subscriptions === undefined) return next();
    const release = ctx.subscriptions.take();
    const result = await next();
    if (!result.ok || !isAsyncIterable(result.data)) {
      release();
      return result;
    }
    return { ...result, data: releasingIterable(result.data, release) };
  });

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

export async function* mapStreamErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    throw toTRPCError(err);
  }
}
