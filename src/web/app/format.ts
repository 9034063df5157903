/** Number formatting for the dashboard: pure, table-tested (test/web/format.test.ts). */

/**
 * Decimals for a price from its magnitude (about six significant digits, 2 to 8 decimals):
 * 61,234.57 · 150.12 · 10.51 · 2.512 · 0.5712 · 0.02345 · 0.00001234.
 */
export function priceDecimals(price: number): number {
  if (!Number.isFinite(price) || price <= 0) return 2;
  return Math.min(8, Math.max(2, Math.floor(-Math.log10(price)) + 4));
}

const formatters = new Map<string, Intl.NumberFormat>();
function nf(min: number, max: number): Intl.NumberFormat {
  const key = `${min}:${max}`;
  let f = formatters.get(key);
  if (f === undefined) formatters.set(key, (f = new Intl.NumberFormat("en-US", { minimumFractionDigits: min, maximumFractionDigits: max })));
  return f;
}

export function formatPrice(price: number | null | undefined, decimals?: number): string {
  if (price === null || price === undefined || !Number.isFinite(price)) return "—";
  const d = decimals ?? priceDecimals(price);
  return nf(d, d).format(price);
}

/** 1234567 → "1,234,567"; small values keep up to `maxDecimals`. */
export function formatNumber(n: number | null | undefined, maxDecimals = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return nf(0, maxDecimals).format(n);
}

/** 0.01234 → "+1.23%". */
export function formatPercent(fraction: number | null | undefined, decimals = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  const sign = fraction > 0 ? "+" : fraction < 0 ? "−" : "";
  return `${sign}${nf(decimals, decimals).format(Math.abs(fraction) * 100)}%`;
}

/** Milliseconds as "850 ms", "2.4 s", "3 m 05 s", "2 h 04 m", "3 d 2 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Local wall-clock time "14:03:27". */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((v) => String(v).padStart(2, "0")).join(":");
}

/** Trade quantities with a fixed number of decimals per magnitude, so a column lines up. */
export function formatQuantity(q: number | null | undefined): string {
  if (q === null || q === undefined || !Number.isFinite(q)) return "—";
  const d = q >= 1000 ? 0 : q >= 1 ? 3 : 5;
  return nf(d, d).format(q);
}
