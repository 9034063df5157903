/** Named errors of the MLOps layer. `retryable` tells a supervisor or caller whether trying again can help. */

/** The champion pointer kept changing under us: every compare-and-set attempt lost. */
export class ChampionConflict extends Error {
  override readonly name = "ChampionConflict";
  readonly retryable = true;
}

/** Rollback asked for a symbol whose pointer has no previous champion (or no pointer at all). */
export class NoPreviousChampion extends Error {
  override readonly name = "NoPreviousChampion";
  readonly retryable = false;
}

/** A pointer or artifact in KV / the lake did not have the expected shape. */
export class InvalidChampionRecord extends Error {
  override readonly name = "InvalidChampionRecord";
  readonly retryable = false;
}

/** The artifact a pointer names is missing from the lake. */
export class ArtifactNotFound extends Error {
  override readonly name = "ArtifactNotFound";
  readonly retryable = false;
}

/** An artifact key already holds a different model (versions are immutable). */
export class ArtifactConflict extends Error {
  override readonly name = "ArtifactConflict";
  readonly retryable = false;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
