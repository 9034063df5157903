/** Data hooks of the MLOps page: one-off queries, refreshed when an MLOps event for the symbol arrives. */
import { useCallback, useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { trpc, type Outputs } from "../trpc.js";

export type MlopsEventView = { type: string; at?: number } & Record<string, unknown>;

/** A query that re-runs when `deps` change or `refresh()` is called. */
export function useQuery<T>(run: () => Promise<T>, deps: readonly unknown[]): { data: T | null; error: string | null; refresh: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    run().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, refresh };
}

/** The latest MLOps events (newest first), live from `mlops.events$`; `version` bumps on each event that changes the registry. */
export function useMlopsEvents(limit = 40): { events: MlopsEventView[]; version: number } {
  const [events, setEvents] = useState<MlopsEventView[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const sub = trpc.mlops.events$.subscribe(undefined, {
      onData: (e) => {
        const event = e as unknown as MlopsEventView;
        setEvents((prev) => [{ ...event, at: typeof event.at === "number" ? event.at : Date.now() }, ...prev].slice(0, limit));
        if (["run-completed", "run-failed", "promoted", "not-promoted", "rolled-back", "demoted"].includes(event.type)) setVersion((v) => v + 1);
      },
    });
    return () => sub.unsubscribe();
  }, [limit]);
  return { events, version };
}

export type RunsPage = Outputs["mlops"]["runs"];
export type LeaderboardRow = Outputs["mlops"]["leaderboard"][number];
export type ChampionView = Outputs["mlops"]["champion"];
export type PerformanceView = Outputs["mlops"]["performance"];
