/** Application log lines from a few services, as a log shipper would publish them. */
import { seededRandom } from "./rng.js";

export interface LogOptions {
  seed?: number;
  startTime?: number;
  stepMs?: number;
}

const SERVICES = ["checkout", "auth", "search", "billing"] as const;
const MESSAGES: Record<string, string[]> = {
  debug: ["cache lookup", "retrying upstream call"],
  info: ["request served", "user signed in", "order placed", "index refreshed"],
  warn: ["slow query", "upstream latency above 500 ms"],
  error: ["payment provider timeout", "unhandled exception in handler"],
};

export function* logLines(options: LogOptions = {}): Generator<Record<string, unknown>> {
  const random = seededRandom(options.seed ?? 13);
  let t = options.startTime ?? Date.now();
  for (let n = 0; ; n++) {
    const r = random();
    const level = r < 0.1 ? "debug" : r < 0.85 ? "info" : r < 0.96 ? "warn" : "error";
    const choices = MESSAGES[level]!;
    const line: Record<string, unknown> = {
      level,
      service: SERVICES[Math.floor(random() * SERVICES.length)],
      message: choices[Math.floor(random() * choices.length)],
      latency_ms: Math.round(5 + random() * 400),
      timestamp: new Date(t).toISOString(),
    };
    if (level === "error") line.trace_id = Math.floor(random() * 2 ** 48).toString(16);
    yield line;
    t += options.stepMs ?? 20;
  }
}
