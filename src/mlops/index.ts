/** Public surface of src/mlops: registry glue, champion pointer and cache, dataset, trainer (the watcher actor that schedules rounds: src/actors/watcher). */
export { ChampionCache, type ChampionCacheOptions, type ChampionListener } from "./champion-cache.js";
export { KvChampionStore, updatePointer, type ChampionStore, type StoredPointer } from "./champion-store.js";
export { ArtifactStore, type ArtifactMetadata } from "./artifacts.js";
export { predictorFromModel } from "./predictor.js";
export {
  promotedPointer,
  rolledBackPointer,
  demotedPointer,
  isNaiveRef,
  NAIVE_VERSION,
  parsePointer,
  parseModelVersion,
  modelVersion,
  artifactKey,
  metadataKey,
  POINTER_HISTORY,
  type ChampionPointer,
  type ChampionRef,
} from "./pointer.js";
export { InMemorySilverSource, LakeSilverSource, chronological, type SilverSource, type TrainingBar } from "./silver-source.js";
export { buildDataset, liveErrors, slideOf, usableRows, type BuiltDataset } from "./dataset.js";
export { Trainer, DEFAULT_MIN_ROWS, DEFAULT_MAX_BARS, type TrainerOptions, type TrainingOutcome, type RunOutcome, type PromotionOutcome, type ChampionReview } from "./trainer.js";
export { registerVersion, metricRecord } from "./registry.js";
export { pagedRuns, leaderboard, trainedSymbols, championHistoryWithVersions, runOfVersion, livePerformance, goldModelPerformance, RUN_SORT_COLUMNS, type RunSortColumn, type RunRow, type RunPageQuery, type ChampionHistoryRow, type PerformancePoint, type VersionPerformance } from "./queries.js";
export { trainHandler, rollbackHandler, outcomeSummary, type MlopsAdminDeps } from "./admin.js";
export { natsEventSink, fanOut, mlopsEventSubject, eventLogLevel, type MlopsEvent, type MlopsEventSink, type TrainingTrigger, type WatcherMode } from "./events.js";
export { ChampionConflict, NoPreviousChampion, InvalidChampionRecord, ArtifactNotFound, ArtifactConflict } from "./errors.js";
