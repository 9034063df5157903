/** The MLOps watcher actor: when each symbol trains (transition.ts, pure) and the shell that runs rounds (actor.ts). */
export { watcherActor, resultOf, trainNowVia, type RoundRunner, type WatcherOptions, type WatcherStatus, type WatcherSurvey, type WatcherActorMessage, type WatcherReply } from "./actor.js";
export {
  watcherTransition,
  createWatcherState,
  watcherStatus,
  DEFAULT_WATCHER_SETTINGS,
  type WatcherSettings,
  type WatcherState,
  type WatcherMessage,
  type WatcherEffect,
  type SymbolWatch,
  type RoundResult,
  type RoundSummary,
  type SkipReason,
} from "./transition.js";
