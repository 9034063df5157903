/** The app router: the only server type the React app imports (`import type { AppRouter }`). */
import { marketRouter } from "./routers/market.js";
import { systemRouter } from "./routers/system.js";
import { router } from "./trpc.js";

export const appRouter = router({
  market: marketRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
