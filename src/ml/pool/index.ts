export { TrainingPool, type TrainingPoolOptions, type LeagueRequest, type PooledLeagueResult } from "./training-pool.js";
export { TrainingAborted, TrainingFailed, TrainingPoolClosed, TrainingQueueFull } from "./errors.js";
export type { TrainingEvent, TrainingEventListener } from "./events.js";
export { toPayload, fromPayload, type DatasetPayload, type TrainingResult, type TrainingTask } from "./task.js";
