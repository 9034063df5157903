/** The ingestion gateway mounted by the web server at `/api/ingest/` and `/api/docs`. */
export { createIngestGateway, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS, type GatewayOptions, type IngestGateway, type GatewayFigures } from "./handler.js";
export { parseApiKeys, authorize, ApiKeyConfigError, type ApiKey, type Authorization } from "./keys.js";
export { openApiDocument } from "./openapi.js";
export { gatewayMetrics, type GatewayMetrics } from "./metrics.js";
