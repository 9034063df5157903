/** Small React hooks over the tRPC client: connection state, a clock for derived rates. */
import { useEffect, useState } from "react";
import { onConnection, type ConnectionState } from "./trpc.js";

export function useConnection(): ConnectionState {
  const [state, setState] = useState<ConnectionState>("connecting");
  useEffect(() => onConnection(setState), []);
  return state;
}

/** Re-renders every `ms` (display only: rates decay when no data arrives). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** The path the app is on, and a navigate function (History API; the server falls back to index.html). */
export function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(() => location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  const navigate = (to: string) => {
    if (to === location.pathname + location.search) return;
    history.pushState(null, "", to);
    setPath(to);
  };
  return [path, navigate];
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
