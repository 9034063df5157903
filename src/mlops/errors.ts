/** Named errors of the MLOps layer. `retryable` tells a supervisor or caller whether trying again can help. */
import { namedError } from "../runtime/named-error.js";

/** The champion pointer kept changing under us: every compare-and-set attempt lost. */
export class ChampionConflict extends namedError("ChampionConflict", { retryable: true }) {}

/** Rollback asked for a symbol whose pointer has no previous champion (or no pointer at all). */
export class NoPreviousChampion extends namedError("NoPreviousChampion", { retryable: false }) {}

/** A pointer or artifact in KV / the lake did not have the expected shape. */
export class InvalidChampionRecord extends namedError("InvalidChampionRecord", { retryable: false }) {}

/** The artifact a pointer names is missing from the lake. */
export class ArtifactNotFound extends namedError("ArtifactNotFound", { retryable: false }) {}

/** An artifact key already holds a different model (versions are immutable). */
export class ArtifactConflict extends namedError("ArtifactConflict", { retryable: false }) {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
