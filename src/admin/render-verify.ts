import type { RangeSummary } from "../verify/range-set.js";
import type { StreamRange, VerifyReport } from "../verify/types.js";

const n = (x: number) => x.toLocaleString("en-US");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function stream(s: StreamRange, writer: string): string {
  const range = s.fromSeq === null ? "nothing in range" : `seq ${s.fromSeq}..${s.toSeq}`;
  return `${s.stream} ${range} (${writer} committed ${s.committedSeq}, ${n(s.uncommitted)} not yet)`;
}

function ranges(s: RangeSummary, fmt: (x: number) => string): string {
  const text = s.ranges.map(([a, b]) => (a === b ? fmt(a) : `${fmt(a)}..${fmt(b)}`)).join(" ");
  return s.truncated ? `${text} …` : text;
}

/** `npm run admin -- verify` without --json: totals, then one line per finding. */
export function renderVerify(nodeId: string, r: VerifyReport): string {
  const t = r.totals;
  const lines = [
    `verify ${r.status} on ${nodeId}: ${r.since === null ? "everything the log holds" : `since ${iso(r.since)}`}, ${((r.finishedAt - r.startedAt) / 1000).toFixed(1)} s`,
    `  log    ${stream(r.trades, "bronze")}; ${stream(r.silver, "silver")}`,
    `  trades ${n(t.symbols)} symbol(s), ${n(t.logTrades)} in the log, ${n(t.bronzeTrades)} in bronze: ${n(t.holes)} hole(s), ${n(t.missingFromBronze)} missing from bronze, ${n(t.extraInBronze)} extra, ${n(t.duplicateIds)} duplicate id(s); ${n(t.reportedGapIds)} id(s) in reported exchange gaps`,
    `  bars   ${n(t.barsExpected)} window(s) closed, ${n(t.barsPresent)} in silver, ${n(t.barsPending)} pending: ${n(t.missingBars)} missing, ${n(t.doubledBars)} doubled, ${n(t.unexpectedBars)} unexpected`,
  ];
  if (r.serving) lines.push(`  serving PostgreSQL silver_bars up to SILVER seq ${r.serving.ackFloor} (ack floor of "${r.serving.durable}"): ${n(t.servingExpected)} window(s), ${n(t.servingPresent)} present: ${n(t.servingMissing)} missing, ${n(t.servingUnexpected)} unexpected`);
  const findings: [string, string, RangeSummary, (x: number) => string][] = [];
  for (const f of r.tradeFindings) {
    const id = String;
    findings.push([f.symbol, "hole in the log", f.holes, id], [f.symbol, "missing from bronze", f.missingFromBronze, id], [f.symbol, "extra in bronze", f.extraInBronze, id], [f.symbol, "duplicate in bronze", f.duplicateIds, id]);
  }
  for (const f of r.barFindings) findings.push([f.symbol, "missing bar", f.missing, iso], [f.symbol, "doubled bar", f.doubled, iso], [f.symbol, "unexpected bar", f.unexpected, iso]);
  for (const f of r.servingFindings) findings.push([f.symbol, "missing in serving", f.missing, iso], [f.symbol, "unexpected in serving", f.unexpected, iso]);
  for (const [symbol, what, s, fmt] of findings) if (s.count > 0) lines.push(`  ${symbol.padEnd(12)} ${what.padEnd(21)} ${String(s.count).padStart(7)}  ${ranges(s, fmt)}`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines.join("\n");
}
