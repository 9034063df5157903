/** The one tRPC instance: context type, router and procedure builders. */
import { initTRPC } from "@trpc/server";
import type { WebContext } from "./context.js";
import { toTRPCError } from "./errors.js";

const t = initTRPC.context<WebContext>().create();

export const router = t.router;

/**
 * Every procedure maps the errors its resolver throws in one place (errors.ts); input
 * validation errors are already BAD_REQUEST and pass through. Subscriptions map errors raised
 * while streaming with `mapStreamErrors`.
 */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && result.error.cause !== undefined) throw toTRPCError(result.error.cause);
  return result;
});

export async function* mapStreamErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    throw toTRPCError(err);
  }
}
