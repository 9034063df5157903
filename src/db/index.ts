/** Public surface of src/db: the database interface, migrations, serving writes and gold transforms. */
export { checkSchemaName, type Database, type DatabaseKind, type OpenDatabaseOptions, type Queryable, type QueryResult } from "./database.js";
export { openDatabase, databaseOptionsFromConfig } from "./open.js";
export { wrapPglite, pgliteParsers } from "./pglite.js";
export { DatabaseError, DatabaseUnavailableError, QueryError, MigrationError, toDatabaseError, isDataError } from "./errors.js";
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration, type MigrationReport } from "./migrate.js";
export { insertTrades } from "./trades.js";
export type { ServingBatch } from "./serving/rows.js";
export { upsertSilverBars, upsertCandles1m, upsertServingBatch, dedupeByKey } from "./serving/upsert.js";
export { readSilverBars, readCandles1m, type RangeQuery } from "./serving/read.js";
export { ServingWriter, DEFAULT_BACKOFF, type WriteOutcome, type ServingWriterOptions, type ServingWriterStatus } from "./serving/writer.js";
export { decodeSilverBar, decodeCandle1m, InvalidServingMessage } from "./serving/decode.js";
export { runServingConsumer, ensureServingConsumer, SERVING_STREAMS, type ServingConsumerOptions, type ServingConsumerEvent, type ServingSource } from "./serving/consumer.js";
export { runTransform, loadModels, MODELS_DIR, type TransformOptions, type TransformReport, type ModelRunResult } from "./gold/transform.js";
export type { DataTestResult } from "./gold/data-tests.js";
export { listTransformRuns, transformRunDetails, dataTestHistory, type StoredTransformRun } from "./gold/history.js";
export { parseModelFile, ModelDefinitionError, type ModelFile, type Materialization } from "./gold/model-file.js";
export * from "./registry/index.js";
