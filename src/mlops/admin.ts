/**
 * The admin commands of the ml role: `train [SYMBOL]` and `rollback <SYMBOL>`. Admin requests
 * reach every node, so each command acts only on the symbols this node is responsible for and
 * says which node handles the others.
 */
import { MARKET_SYMBOL_PATTERN } from "../market/symbol.js";
import { AdminBadRequest, type AdminHandler } from "../admin/service.js";
import type { Database } from "../db/index.js";
import { recordPromotion } from "../db/index.js";
import { updatePointer, type ChampionStore } from "./champion-store.js";
import { NoPreviousChampion } from "./errors.js";
import type { MlopsEventSink } from "./events.js";
import { rolledBackPointer } from "./pointer.js";
import type { TrainingOutcome } from "./trainer.js";

const SYMBOL = MARKET_SYMBOL_PATTERN;

export interface MlopsAdminDeps {
  /** Runs (or joins) a training round of one symbol now: the watcher actor's `train-now` (src/actors/watcher, `trainNowVia`). */
  trainNow: (symbol: string, timeoutMs: number) => Promise<TrainingOutcome>;
  store: ChampionStore;
  db: Database;
  events: MlopsEventSink;
  /** Symbols `train` without an argument covers. */
  symbols: () => Promise<readonly string[]>;
  /** The ml node that handles a symbol (this node's id when it is this one). */
  handlerOf: (symbol: string) => string;
  nodeId: string;
  now: () => number;
  /** How long `train` waits for a round. Default 10 minutes. */
  trainTimeoutMs?: number;
}

function symbolArg(arg: string | undefined, command: string): string {
  const symbol = arg?.toUpperCase();
  if (symbol === undefined || !SYMBOL.test(symbol)) throw new AdminBadRequest(`${command} needs a symbol like BTCUSDT${arg ? ` (got "${arg}")` : ""}`);
  return symbol;
}

/** What `train` answers per symbol: enough to read in a terminal, all of it plain JSON. */
export function outcomeSummary(o: TrainingOutcome) {
  return {
    symbol: o.symbol,
    status: o.status,
    rows: o.rows,
    runs: o.runs.map((r) => ({ algorithm: r.algorithm, status: r.status, rmse: r.rmse ?? null, skill: r.skill ?? null, dmStat: r.dmStat ?? null, cwStat: r.cwStat ?? null, cwPValue: r.cwPValue ?? null, testRows: r.testRows ?? null, ...(r.error ? { error: r.error } : {}) })),
    rmseNaive: o.rmseNaive,
    promotion: o.promotion,
    review: o.review === null ? null : { version: o.review.version, verdict: o.review.review.verdict, detail: o.review.review.detail, demoted: o.review.demoted },
    champion: o.champion,
    seconds: (o.finishedAt - o.startedAt) / 1000,
  };
}

export function trainHandler(d: MlopsAdminDeps): AdminHandler {
  return async (args) => {
    const symbols = args[0] === undefined ? [...(await d.symbols())] : [symbolArg(args[0], "train")];
    const mine = symbols.filter((s) => d.handlerOf(s) === d.nodeId);
    const skipped = symbols.filter((s) => d.handlerOf(s) !== d.nodeId).map((s) => ({ symbol: s, handledBy: d.handlerOf(s) }));
    const timeoutMs = d.trainTimeoutMs ?? 600_000;
    const trained = await Promise.all(
      mine.map(async (symbol) => {
        return outcomeSummary(await d.trainNow(symbol, timeoutMs));
      }),
    );
    return { trained, skipped };
  };
}

export function rollbackHandler(d: MlopsAdminDeps): AdminHandler {
  return async (args) => {
    const symbol = symbolArg(args[0], "rollback");
    const handler = d.handlerOf(symbol);
    if (handler !== d.nodeId) return { symbol, skipped: true, handledBy: handler };
    let result;
    try {
      result = await updatePointer(d.store, symbol, (current) => rolledBackPointer(current, d.now()));
    } catch (err) {
      if (err instanceof NoPreviousChampion) throw new AdminBadRequest(err.message);
      throw err;
    }
    const { pointer, previous } = result!;
    await recordPromotion(d.db, symbol, pointer.version, pointer.reason, "rolled-back");
    d.events({ type: "rolled-back", symbol, from: previous!.version, to: pointer.version, at: d.now() });
    return { symbol, from: previous!.version, to: pointer.version, remainingHistory: pointer.previous.length };
  };
}
