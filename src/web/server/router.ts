/** The app router: the only server type the React app imports (`import type { AppRouter }`). */
import { marketRouter } from "./routers/market.js";
import { systemRouter } from "./routers/system.js";
import { mlopsRouter } from "./routers/mlops.js";
import { controlRouter } from "./routers/control.js";
import { connectionsRouter } from "./routers/connections.js";
import { router } from "./trpc.js";

export const appRouter = router({
  market: marketRouter,
  system: systemRouter,
  mlops: mlopsRouter,
  control: controlRouter,
  connections: connectionsRouter,
});

export type AppRouter = typeof appRouter;
