/** Pure helpers of the MLOps page (tested without a browser). */

export type SortDirection = "asc" | "desc";
export interface SortState<C extends string> {
  column: C;
  direction: SortDirection;
}

/** Clicking a header: the same column flips direction; a new column starts with its natural order. */
export function nextSort<C extends string>(current: SortState<C>, column: C, naturalDirection: (c: C) => SortDirection): SortState<C> {
  if (current.column === column) return { column, direction: current.direction === "asc" ? "desc" : "asc" };
  return { column, direction: naturalDirection(column) };
}

/** Errors read best smallest first, dates and skills largest first. */
export function naturalRunDirection(column: string): SortDirection {
  return column === "rmse" || column === "symbol" || column === "algorithm" || column === "status" ? "asc" : "desc";
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Dates cross tRPC as ISO strings (no transformer); accept either. */
export function toMs(value: Date | string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export function skillTone(skill: number | null | undefined): "up" | "down" | "muted" {
  if (skill === null || skill === undefined || !Number.isFinite(skill)) return "muted";
  return skill > 0 ? "up" : skill < 0 ? "down" : "muted";
}

/** Importances as bar widths (share of the largest), largest first. */
export function importanceBars(rows: readonly { feature: string; importance: number }[]): { feature: string; importance: number; width: number }[] {
  const max = Math.max(0, ...rows.map((r) => r.importance));
  return [...rows].sort((a, b) => b.importance - a.importance).map((r) => ({ ...r, width: max > 0 ? r.importance / max : 0 }));
}

export interface PerfPoint {
  bucket: number;
  modelVersion: string;
  predictions: number;
  rmse: number;
  rmseNaive: number;
}

/** Per time bucket, the prediction-weighted RMSE of the models live then and of naive (several versions may share a bucket). */
export function performanceSeries(points: readonly PerfPoint[]): { bucket: number; rmse: number; rmseNaive: number; versions: string[] }[] {
  const byBucket = new Map<number, { se: number; seNaive: number; n: number; versions: Set<string> }>();
  for (const p of points) {
    const b = byBucket.get(p.bucket) ?? { se: 0, seNaive: 0, n: 0, versions: new Set<string>() };
    b.se += p.rmse * p.rmse * p.predictions;
    b.seNaive += p.rmseNaive * p.rmseNaive * p.predictions;
    b.n += p.predictions;
    b.versions.add(p.modelVersion);
    byBucket.set(p.bucket, b);
  }
  return [...byBucket.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, b]) => ({ bucket, rmse: Math.sqrt(b.se / b.n), rmseNaive: Math.sqrt(b.seNaive / b.n), versions: [...b.versions].sort() }));
}

/** SVG polyline points for values over [0, width] × [0, height] (y grows downwards), sharing one y-scale. */
export function polyline(values: readonly number[], width: number, height: number, yMax: number): string {
  if (values.length === 0 || !(yMax > 0)) return "";
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values.map((v, i) => `${(i * step).toFixed(1)},${(height - (Math.min(v, yMax) / yMax) * height).toFixed(1)}`).join(" ");
}

/** One line for the live event feed, or null for events not worth a line (per-tree progress). */
export function eventLine(e: { type: string } & Record<string, unknown>): string | null {
  const s = typeof e.symbol === "string" ? e.symbol : "";
  switch (e.type) {
    case "training-started":
      return `${s}: training on ${String(e.rows)} rows (${String(e.trigger)})`;
    case "run-completed": {
      const m = e.metrics as { rmse?: number; skill?: number } | undefined;
      return `${s}: ${String(e.algorithm)} done, skill ${m?.skill !== undefined ? (m.skill * 100).toFixed(2) + "%" : "?"}`;
    }
    case "run-failed":
      return `${s}: ${String(e.algorithm)} failed: ${String(e.error)}`;
    case "promoted":
      return `${s}: promoted ${String(e.version)} (${String(e.kind)})`;
    case "not-promoted":
      return `${s}: kept ${e.champion === null ? "naive" : String(e.champion)}: ${String(e.reason)}`;
    case "rolled-back":
      return `${s}: rolled back ${String(e.from)} → ${String(e.to)}`;
    case "demoted": {
      const r = e.review as { rmse?: number; rmseNaive?: number; rows?: number } | undefined;
      const figures = r?.rmse !== undefined && r.rmseNaive ? `, live skill ${((1 - r.rmse / r.rmseNaive) * 100).toFixed(2)}% over ${String(r.rows)} bars` : "";
      return `${s}: demoted ${String(e.from)} → naive (worse than naive${figures})`;
    }
    case "training-failed":
      return `${s}: round failed: ${String(e.error)}`;
    case "mode-changed":
      return `${s}: ${String(e.from)} → ${String(e.to)}`;
    case "warning":
      return `${s}: ${String(e.message)}`;
    case "pool": {
      const p = e.event as { type?: string; symbol?: string; algorithm?: string } | undefined;
      return p?.type === "started" ? `${p.symbol ?? ""}: ${p.algorithm ?? ""} started in a worker` : null;
    }
    default:
      return null;
  }
}

/**
 * A run's decision in a few words (the full text is the cell's tooltip): "promoted SYMBOL/v3",
 * the rule's reason code ("not-significant-vs-naive", "outranked", "cooling-down", …), "failed",
 * or "—" for runs recorded before decisions were kept.
 */
export function decisionLabel(decision: string | null, error: string | null): string {
  if (decision === null) return error !== null ? "failed" : "—";
  const promoted = /^promoted (\S+):/.exec(decision);
  if (promoted) return `promoted ${promoted[1]}`;
  return decision.split(":", 1)[0]!;
}

/** How a champion history row reads: what happened, and the row's style (a demotion is marked). */
export function historyChange(action: string): { label: string; className: string } {
  switch (action) {
    case "demoted":
      return { label: "demoted", className: "demoted" };
    case "rolled-back":
      return { label: "rolled back", className: "" };
    default:
      return { label: "promoted", className: "" };
  }
}

/** "4 promotions · 1 demotion": the history's changes counted by kind (rollbacks left out when none). */
export function changeCounts(history: readonly { action: string }[]): string {
  const count = (action: string) => history.filter((h) => h.action === action).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts = [plural(count("promoted"), "promotion")];
  if (count("demoted") > 0) parts.push(plural(count("demoted"), "demotion"));
  if (count("rolled-back") > 0) parts.push(plural(count("rolled-back"), "rollback"));
  return parts.join(" · ");
}

/** "11-28 14:03:27" in local time, or "—". */
export function formatStamp(value: Date | string | number | null | undefined): string {
  const ms = toMs(value);
  if (ms === null) return "—";
  const d = new Date(ms);
  const two = (v: number) => String(v).padStart(2, "0");
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
