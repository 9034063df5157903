/** Reconciliation of the log, bronze and silver: the last `admin verify` result, and a button to run one. */
import { useCallback, useEffect, useState } from "react";
import { formatClock, formatDuration, formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { adminClient, type ControlOutputs } from "./client.js";
import { RunCardHead, type RangeOption } from "./RunCardHead.js";

const SCOPES: RangeOption<"2h" | "all">[] = [
  { value: "2h", label: "last 2 h" },
  { value: "all", label: "whole log" },
];

type Report = NonNullable<ControlOutputs["lastVerify"]>;
type Ranges = { count: number; ranges: [number, number][]; truncated: boolean };

function rangeText(r: Ranges, fmt: (x: number) => string): string {
  return r.ranges.map(([a, b]) => (a === b ? fmt(a) : `${fmt(a)}…${fmt(b)}`)).join(", ") + (r.truncated ? ", …" : "");
}

/** One row per kind of finding per symbol. */
function findings(r: Report): { key: string; symbol: string; what: string; count: number; where: string }[] {
  const out: { key: string; symbol: string; what: string; count: number; where: string }[] = [];
  const add = (symbol: string, what: string, s: Ranges, fmt: (x: number) => string) => s.count > 0 && out.push({ key: `${symbol}/${what}`, symbol, what, count: s.count, where: rangeText(s, fmt) });
  for (const f of r.tradeFindings) {
    add(f.symbol, "hole in the log", f.holes, String);
    add(f.symbol, "missing from bronze", f.missingFromBronze, String);
    add(f.symbol, "extra in bronze", f.extraInBronze, String);
    add(f.symbol, "duplicate in bronze", f.duplicateIds, String);
  }
  for (const f of r.barFindings) {
    add(f.symbol, "missing bar", f.missing, formatClock);
    add(f.symbol, "doubled bar", f.doubled, formatClock);
    add(f.symbol, "unexpected bar", f.unexpected, formatClock);
  }
  for (const f of r.servingFindings) {
    add(f.symbol, "missing in serving", f.missing, formatClock);
    add(f.symbol, "unexpected in serving", f.unexpected, formatClock);
  }
  return out;
}

export function VerifyCard(props: { refreshSignal: number }) {
  const [report, setReport] = useState<Report | null | undefined>(undefined);
  const [scope, setScope] = useState<"2h" | "all">("2h");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    trpc.control.lastVerify.query().then(setReport, (e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load, props.refreshSignal]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await adminClient.control.run.mutate({ command: "verify", args: scope === "2h" ? ["--since", "2h"] : [], timeoutMs: 300_000 });
      const failed = r.replies.find((x) => !x.ok);
      const answered = r.replies.find((x) => x.ok && !(x.result as { skipped?: boolean }).skipped);
      if (failed && !failed.ok) setError(`${failed.nodeId}: ${failed.error}`);
      else if (!answered || !answered.ok) setError("no node with the quality role answered");
      else setReport(answered.result as Report);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const t = report?.totals;
  const rows = report ? findings(report) : [];
  return (
    <section className="panel verify-card" data-testid="verify-card">
      <RunCardHead title="Reconciliation (log · bronze · silver)" rangeLabel="verify range" ranges={SCOPES} range={scope} onRange={setScope} runLabel="Run verify" busyLabel="Verifying…" runTestId="run-verify" busy={busy} onRun={run} />
      {error !== null && <div className="banner error small">{error}</div>}
      {report === undefined || !t ? (
        <div className="muted pad">{report === undefined ? "Loading…" : "No verify run yet."}</div>
      ) : (
        <>
          <div className="report-head" data-testid="verify-result">
            <span className={`pill ${report.status.toLowerCase()}`}>{report.status}</span>
            <span className="muted small">
              {" "}
              · {report.since === null ? "whole log" : `since ${formatClock(report.since)}`} · {formatClock(report.startedAt)} · {formatDuration(report.finishedAt - report.startedAt)} · {formatNumber(t.symbols)} symbols · {formatNumber(report.trades.uncommitted)} log messages not yet in bronze
            </span>
          </div>
          <table className="table compact">
            <tbody>
              <tr>
                <td>Trades</td>
                <td className="num">{formatNumber(t.logTrades)} in log</td>
                <td className="num">{formatNumber(t.bronzeTrades)} in bronze</td>
                <td className="num">{formatNumber(t.holes)} holes</td>
                <td className="num">{formatNumber(t.missingFromBronze)} lost</td>
                <td className="num">{formatNumber(t.duplicateIds)} dup ids</td>
                <td className="num muted">{formatNumber(t.reportedGapIds)} in exchange gaps</td>
              </tr>
              <tr>
                <td>Bars</td>
                <td className="num">{formatNumber(t.barsExpected)} closed</td>
                <td className="num">{formatNumber(t.barsPresent)} in silver</td>
                <td className="num">{formatNumber(t.missingBars)} missing</td>
                <td className="num">{formatNumber(t.doubledBars)} doubled</td>
                <td className="num">{formatNumber(t.unexpectedBars)} unexpected</td>
                <td className="num muted">{formatNumber(t.barsPending)} pending</td>
              </tr>
              {report.serving && (
                <tr>
                  <td>Serving (PostgreSQL)</td>
                  <td className="num">{formatNumber(t.servingExpected)} closed</td>
                  <td className="num">{formatNumber(t.servingPresent)} in table</td>
                  <td className="num">{formatNumber(t.servingMissing)} missing</td>
                  <td className="num">—</td>
                  <td className="num">{formatNumber(t.servingUnexpected)} unexpected</td>
                  <td className="num muted">up to SILVER seq {report.serving.ackFloor}</td>
                </tr>
              )}
            </tbody>
          </table>
          {rows.length > 0 && (
            <table className="table compact" data-testid="verify-findings">
              <tbody>
                {rows.slice(0, 20).map((f) => (
                  <tr key={f.key}>
                    <td>{f.symbol}</td>
                    <td>{f.what}</td>
                    <td className="num">{formatNumber(f.count)}</td>
                    <td className="small muted ellipsis" title={f.where}>
                      {f.where}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
