/** The live log tail: recent lines first, then pushed lines, filtered on the server; capped in memory. */
import { useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";

export type Level = "debug" | "info" | "warn" | "error";
export interface LogFilterState {
  level: Level;
  component: string;
  node: string;
  text: string;
}
export interface TailLine {
  id: string;
  at: string;
  level: Level;
  node: string;
  component: string;
  message: string;
  fields?: Record<string, unknown>;
}

const MAX_LINES = 1500;

export function useLogTail(filter: LogFilterState): { lines: TailLine[]; error: string | null } {
  const [lines, setLines] = useState<TailLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const { level, component, node, text } = filter;
  useEffect(() => {
    setLines([]);
    setError(null);
    const f = { level, ...(component ? { components: [component] } : {}), ...(node ? { nodes: [node] } : {}), ...(text ? { text } : {}) };
    const sub = trpc.control.logs$.subscribe(
      { filter: f },
      {
        onData: (e) => {
          setError(null);
          setLines((prev) => {
            const next = [...prev, { id: e.id, ...(e.data as Omit<TailLine, "id">) }];
            return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
          });
        },
        onError: (err) => setError(errorText(err)),
      },
    );
    return () => sub.unsubscribe();
  }, [level, component, node, text]);
  return { lines, error };
}
