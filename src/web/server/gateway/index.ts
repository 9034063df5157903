/** The ingestion gateway mounted by the web server at `/api/ingest/` and `/api/docs`. */
export { createIngestGateway, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS, type GatewayOptions, type IngestGateway, type GatewayFigures, type GatewayConnections } from "./handler.js";
export { authorize, bootstrapKeyId, type Authorization } from "./keys.js";
export { openApiDocument } from "./openapi.js";
export { gatewayMetrics, type GatewayMetrics } from "./metrics.js";
export { ApiKeyStore, newApiKey, hashApiKey, runtimeKeyId, type ApiKeyStoreOptions, type ApiKeyView, type StoredAuthorization } from "./key-store.js";
export { KeyUsage, type KeyUse } from "./key-usage.js";
export { RecentErrors, type GatewayError } from "./recent-errors.js";
