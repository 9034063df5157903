/** Binance combined/raw stream protocol as pure functions: URL paths and live control messages. */

export interface StreamPath {
  /** true for /stream?streams=… (events wrapped as {"stream","data"}), false for /ws/… (raw events). */
  combined: boolean;
  streams: string[];
}

/** `/stream?streams=a/b`, `/ws/a`, `/ws/a/b`, `/ws` → the streams asked for; null for any other path. */
export function parseStreamPath(pathAndQuery: string): StreamPath | null {
  const url = new URL(pathAndQuery, "http://sim.invalid");
  const clean = (names: string[]) => names.map((s) => s.trim()).filter((s) => s.length > 0);
  if (url.pathname === "/stream" || url.pathname === "/stream/") {
    return { combined: true, streams: clean((url.searchParams.get("streams") ?? "").split("/")) };
  }
  if (url.pathname === "/ws" || url.pathname.startsWith("/ws/")) {
    return { combined: false, streams: clean(decodeURIComponent(url.pathname.slice(3)).split("/")) };
  }
  return null;
}

export function wrapCombined(stream: string, data: string): string {
  return `{"stream":"${stream}","data":${data}}`;
}

export type ControlOutcome =
  | { kind: "subscribe"; streams: string[]; reply: string }
  | { kind: "unsubscribe"; streams: string[]; reply: string }
  | { kind: "list"; reply: string }
  | { kind: "error"; reply: string };

type Id = number | string | null;

function errorReply(code: number, msg: string, id: Id): ControlOutcome {
  return { kind: "error", reply: JSON.stringify({ error: { code, msg }, id }) };
}

/**
 * One incoming text message → what to do and the exact reply. Binance's error codes: 0 unknown
 * property, 1 invalid value type, 2 invalid request, 3 invalid JSON.
 */
export function handleControl(text: string, current: ReadonlySet<string>, maxStreams: number): ControlOutcome {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return errorReply(3, "Invalid JSON: expected value at line 1 column 1", null);
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return errorReply(2, "Invalid request: request must be an object", null);
  const m = msg as Record<string, unknown>;
  const rawId = m["id"];
  const id: Id = typeof rawId === "number" || typeof rawId === "string" ? rawId : null;
  if (rawId !== undefined && rawId !== null && id === null) return errorReply(1, "Invalid value type: expected u64 or string for id", null);
  const method = m["method"];
  const params = m["params"] ?? [];
  if (!Array.isArray(params) || params.some((p) => typeof p !== "string")) return errorReply(1, "Invalid value type: params must be an array of strings", id);
  const streams = (params as string[]).map((p) => p.trim());
  switch (method) {
    case "SUBSCRIBE": {
      if (streams.some((s) => s !== s.toLowerCase() && !s.startsWith("!"))) return errorReply(2, "Invalid request: stream names must be lowercase", id);
      const after = new Set([...current, ...streams]);
      if (after.size > maxStreams) return errorReply(2, `Invalid request: at most ${maxStreams} streams per connection`, id);
      return { kind: "subscribe", streams, reply: JSON.stringify({ result: null, id }) };
    }
    case "UNSUBSCRIBE":
      return { kind: "unsubscribe", streams, reply: JSON.stringify({ result: null, id }) };
    case "LIST_SUBSCRIPTIONS":
      return { kind: "list", reply: JSON.stringify({ result: [...current], id }) };
    default:
      return errorReply(2, `Invalid request: unknown method ${JSON.stringify(method)}`, id);
  }
}
