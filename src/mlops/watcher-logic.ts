/**
 * The watcher's behaviour as a pure transition (state, message, now) → effects, as in the
 * original: per symbol, "hunt" checks every 10 s until the symbol has enough silver rows and its
 * first league is trained, then "patrol" retrains every 5 minutes. Admin `train` runs a round at
 * once. One round per symbol at a time; timers are effects the shell arms on the actor's clock.
 */
import { assertNever } from "./errors.js";
import type { MlopsEvent, TrainingTrigger, WatcherMode } from "./events.js";

export interface WatcherSettings {
  /** Hunt check period. Default 10 000 ms. */
  huntIntervalMs: number;
  /** Patrol retraining period. Default 300 000 ms. */
  patrolIntervalMs: number;
}

export const DEFAULT_WATCHER_SETTINGS: WatcherSettings = { huntIntervalMs: 10_000, patrolIntervalMs: 300_000 };

/** What a finished round says, reduced to what the watcher and `admin status` need. */
export interface RoundResult {
  status: "insufficient-data" | "trained" | "failed";
  rows: number;
  promoted: string | null;
  champion: string | null;
  detail: string;
  at: number;
}

export interface SymbolWatch {
  mode: WatcherMode;
  /** The trigger of the round in flight, or null. */
  running: TrainingTrigger | null;
  nextRunAt: number | null;
  rounds: number;
  last: RoundResult | null;
}

export interface WatcherState {
  settings: WatcherSettings;
  symbols: Record<string, SymbolWatch>;
}

export type WatcherMessage =
  /** Symbols that exist (configured or found in silver); new ones start hunting now. */
  | { type: "discover"; symbols: readonly string[] }
  /** Timer: the symbol's next hunt check or patrol round is due. */
  | { type: "due"; symbol: string }
  /** Admin: train now (the reply carries the round's promise, see the shell). */
  | { type: "train-now"; symbol: string }
  /** A round ended (sent by the shell when the trainer's promise settles). */
  | { type: "finished"; symbol: string; trigger: TrainingTrigger; result: RoundResult }
  | { type: "status" };

export type WatcherEffect =
  | { type: "start-round"; symbol: string; trigger: TrainingTrigger }
  | { type: "schedule"; symbol: string; delayMs: number }
  | { type: "emit"; event: MlopsEvent }
  /** Admin asked while a round is already running: join it. */
  | { type: "join-round"; symbol: string };

export function createWatcherState(settings: Partial<WatcherSettings> = {}): WatcherState {
  const s = { ...DEFAULT_WATCHER_SETTINGS, ...settings };
  for (const [name, v] of Object.entries(s)) if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
  return { settings: s, symbols: {} };
}

function watchOf(state: WatcherState, symbol: string): SymbolWatch {
  return (state.symbols[symbol] ??= { mode: "hunt", running: null, nextRunAt: null, rounds: 0, last: null });
}

export function watcherTransition(state: WatcherState, msg: WatcherMessage, now: number): WatcherEffect[] {
  const effects: WatcherEffect[] = [];
  switch (msg.type) {
    case "discover":
      for (const symbol of msg.symbols) {
        if (state.symbols[symbol] !== undefined) continue;
        const w = watchOf(state, symbol);
        w.running = "hunt";
        w.nextRunAt = null;
        effects.push({ type: "start-round", symbol, trigger: "hunt" });
      }
      break;
    case "due": {
      const w = state.symbols[msg.symbol];
      if (w === undefined || w.running !== null) break; // a round in flight reschedules when it ends
      w.running = w.mode;
      w.nextRunAt = null;
      effects.push({ type: "start-round", symbol: msg.symbol, trigger: w.mode });
      break;
    }
    case "train-now": {
      const w = watchOf(state, msg.symbol);
      if (w.running !== null) {
        effects.push({ type: "join-round", symbol: msg.symbol });
        break;
      }
      w.running = "admin";
      w.nextRunAt = null;
      effects.push({ type: "start-round", symbol: msg.symbol, trigger: "admin" });
      break;
    }
    case "finished": {
      const w = watchOf(state, msg.symbol);
      w.running = null;
      w.rounds++;
      w.last = msg.result;
      // The first trained league (or an existing champion) ends the hunt.
      if (w.mode === "hunt" && (msg.result.status === "trained" || msg.result.champion !== null)) {
        w.mode = "patrol";
        effects.push({ type: "emit", event: { type: "mode-changed", symbol: msg.symbol, from: "hunt", to: "patrol", at: now } });
      }
      const delayMs = w.mode === "hunt" ? state.settings.huntIntervalMs : state.settings.patrolIntervalMs;
      w.nextRunAt = now + delayMs;
      effects.push({ type: "schedule", symbol: msg.symbol, delayMs });
      break;
    }
    case "status":
      break;
    default:
      assertNever(msg);
  }
  return effects;
}

/** Plain JSON for `admin status` and the dashboard. */
export function watcherStatus(state: WatcherState): { settings: WatcherSettings; symbols: Record<string, SymbolWatch> } {
  return structuredClone({ settings: state.settings, symbols: state.symbols });
}
