/** Custom data: classification, routing, schema-evolving lake tables, simulators. See README.md. */
export { classifyRecord, typeByShape, parseTimestamp, DEFAULT_QUANTITY, GENERIC_TYPE, type RecordClass, type ClassifyContext, type InvalidReason } from "./classify.js";
export { receiveTime, timeOutOfBounds } from "./time-bounds.js";
export { SourceQuotas, DEFAULT_QUOTAS, type QuotaOptions, type QuotaVerdict } from "./quotas.js";
export { DEFAULT_RECORD_LIMITS, recordLimitBreach, type RecordLimits, type LimitBreach } from "./record-limits.js";
export { normalizeSource, normalizeDataType, marketSymbol, ingestSubject, parseIngestSubject, customTableName, parseCustomTableName, isLegacyCustomTableName, isMarketType, MARKET_TYPES, MARKET_TYPE } from "./names.js";
export { flattenRecord, evolve, META_COLUMNS, PARTITION_COLUMNS, MAX_COLUMNS, type FlatValue, type Evolution } from "./schema.js";
export { routeMessage, MAX_RECORDS_PER_MESSAGE, type RouteDecision, type DeadLetterReason, type LogMessage, type RouteOptions } from "./route.js";
export { CustomTableWriter, type CustomRow, type Offer, type TableFlush } from "./table-writer.js";
export { readCustomTable } from "./reader.js";
export { describeCustomTables, describeCustomTable, type CustomTableInfo } from "./catalog.js";
export { migrateLegacyCustomTables, migrateLegacyCustomTable, CustomTableMigrationRefused, type TableMigration } from "./migrate-names.js";
export { CustomRouter, type CustomRouterOptions, type RouterStatus } from "./router.js";
export { ensureCustomStreams } from "./streams.js";
export { SingletonLease, singletonBucketSpec, type SingletonOptions } from "./singleton.js";
