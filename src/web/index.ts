/** Public surface of src/web (server side). The React app lives in ./app and is built by Vite. */
export { createWebServer, DEFAULT_STATIC_DIR, type WebServer, type WebServerOptions } from "./server/server.js";
export { appRouter, type AppRouter } from "./server/router.js";
export { WebMetrics, defaultRegistry, type WebFigures } from "./server/metrics.js";
export type { BarView, CandleView } from "./server/views.js";
export type { SystemSnapshot } from "./server/routers/system.js";
export type { Health } from "./server/health.js";
export { MarketDataUnavailable, HistoryReadFailed, MalformedMessage, StatusUnavailable, toTRPCError } from "./server/errors.js";
