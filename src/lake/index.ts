// Public surface of the lake: Delta-Lake-compatible Parquet tables on local disk or S3.
export { Lake } from "./lake.js";
export { lakeConfigFromConfig, type LakeConfig } from "./config.js";
export type { Storage, ObjectInfo } from "./storage/types.js";
export { LocalStorage } from "./storage/local.js";
export { S3Storage, type S3StorageOptions } from "./storage/s3.js";
export { openStorage, subStorage, type S3Connection } from "./storage/open.js";
export {
  LakeStorageError,
  LakeCommitConflict,
  LakeConcurrentModification,
  LakeTableNotFound,
  LakeProtocolError,
  LakeVersionNotFound,
} from "./errors.js";
export type { Action, AddFile, RemoveFile, Txn, Metadata, Protocol, CommitInfo, FileStats } from "./delta/actions.js";
export type { ColumnSpec, ColumnType, TableSchema } from "./delta/schema.js";
export type { Snapshot } from "./delta/replay.js";
export { DeltaLog, type HistoryEntry, type DeltaLogOptions } from "./delta/log.js";
export { DeltaTable, type TableDefinition, type VersionSpec, type CommitOptions } from "./table/table.js";
export type { Predicate } from "./table/pruning.js";
export type { Row } from "./parquet/decode.js";
export type { ColumnarBatch } from "./parquet/encode.js";
export { optimize, vacuum, planCompaction, DEFAULT_RETENTION_MS, type OptimizeOptions, type OptimizeResult, type VacuumOptions, type VacuumResult } from "./table/maintenance.js";
export { LakeWriter, DEFAULT_MAX_ROWS, DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FILES_PER_FLUSH, DEFAULT_MAX_DELAY_MS, flushDelayMs, type LakeWriterOptions, type RecordMapping, type FlushResult } from "./writer/lake-writer.js";
export { runLakeConsumer, resumeLakeConsumer, decodeTrades, type LakeConsumerOptions } from "./writer/jetstream.js";
export { bronzeTradesDefinition, bronzeTradesMapping, BRONZE_TRADES_TABLE, BRONZE_TRADES_APP_ID, utcDate } from "./tables/bronze-trades.js";
export { silverBarsDefinition, silverBarsMapping, silverBarFromRow, silverTableRow, SILVER_BARS_TABLE, SILVER_BARS_APP_ID, type SilverTableRow } from "./tables/silver-bars.js";
