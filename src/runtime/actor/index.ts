/** Public surface of the local actor runtime. */
export type {
  Actor,
  ActorContext,
  ActorFactory,
  ActorPath,
  ActorRef,
  ActorStats,
  Directive,
  RuntimeEvent,
  SpawnOptions,
  SupervisorStrategy,
  Timers,
} from "./types.js";
export { ActorSystem, type ActorSystemOptions } from "./system.js";
export { EventStream, type RuntimeEventListener } from "./events.js";
export type { BackoffPolicy } from "../backoff.js";
export {
  alwaysEscalate,
  alwaysResume,
  alwaysStop,
  defaultBackoff,
  defaultStrategy,
  oneForOne,
  planRestart,
  restartForever,
  superviseFailure,
  type OneForOneOptions,
  type RestartHistory,
  type RestartPlan,
  type SupervisionOutcome,
} from "./supervision.js";
export {
  ActorNameTaken,
  ActorStopped,
  AskTimeout,
  InvalidActorName,
  InvalidActorOption,
  MailboxFull,
  RestartBudgetExhausted,
  describeError,
} from "./errors.js";
export { type Clock, ManualClock, systemClock } from "../clock.js";
