/** The scale bench's options from its environment (see bench/scale.ts), validated once. */

/**
 * The median of `runs` by `by` (the lower one of the middle two for an even count): one
 * configuration's figures swing between runs on a shared machine, and the median run is the one
 * to compare across configurations.
 */
export function medianRun<T>(runs: readonly T[], by: (run: T) => number): T {
  if (runs.length === 0) throw new RangeError("medianRun needs at least one run");
  const sorted = [...runs].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export interface ScaleOptions {
  nodes: number[];
  symbols: number[];
  trades: number;
  /** Throughput runs per configuration; the table shows the median run (SCALE_REPEAT). */
  repeat: number;
  latencyRate: number;
  latencySeconds: number;
  latencySymbols: number;
  only: "throughput" | "latency" | undefined;
  /** Which nodes get the ingest role: every node, or the first only. */
  ingest: "all" | "first";
  /** Every node's other roles. */
  roles: string[];
  /** Deadline of each wait (cluster ready, log drained, log read back). */
  phaseMs: number;
}

const ROLES = ["market", "lake", "serving", "web", "ml", "quality"];

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const v = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer (got "${raw}")`);
  return v;
}

function list(env: NodeJS.ProcessEnv, name: string, fallback: string): number[] {
  const raw = env[name] || fallback;
  return raw.split(",").map((part) => positive({ [name]: part.trim() }, name, 0));
}

export function scaleOptions(env: NodeJS.ProcessEnv): ScaleOptions {
  const only = env.SCALE_ONLY || undefined;
  if (only !== undefined && only !== "throughput" && only !== "latency") throw new RangeError(`SCALE_ONLY must be throughput or latency (got "${only}")`);
  const ingest = env.SCALE_INGEST || "all";
  if (ingest !== "all" && ingest !== "first") throw new RangeError(`SCALE_INGEST must be all or first (got "${ingest}")`);
  const roles = (env.SCALE_ROLES || "market").split(",").map((r) => r.trim());
  for (const r of roles) if (!ROLES.includes(r)) throw new RangeError(`SCALE_ROLES: "${r}" is not one of ${ROLES.join(", ")} (ingest is set by SCALE_INGEST)`);
  if (!roles.includes("market")) throw new RangeError("SCALE_ROLES must include market: the bench measures trades reaching the SymbolActors");
  return {
    nodes: list(env, "SCALE_NODES", "1,2,3"),
    symbols: list(env, "SCALE_SYMBOLS", "1000,5000"),
    trades: positive(env, "SCALE_TRADES", 200_000),
    repeat: positive(env, "SCALE_REPEAT", 1),
    latencyRate: positive(env, "SCALE_LATENCY_RATE", 10_000),
    latencySeconds: positive(env, "SCALE_LATENCY_S", 20),
    latencySymbols: positive(env, "SCALE_LATENCY_SYMBOLS", 1000),
    only,
    ingest,
    roles,
    phaseMs: positive(env, "SCALE_PHASE_S", 300) * 1000,
  };
}
