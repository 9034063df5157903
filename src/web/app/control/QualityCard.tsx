/** The quality gate: run it now (its log streams in the live log), the latest report's checks, and the history. */
import { useCallback, useEffect, useState } from "react";
import { formatClock, formatDuration, formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { DataTable, numeric } from "../ui/Table.js";
import { adminClient, type QualityReportView } from "./client.js";
import { RunCardHead, type RangeOption } from "./RunCardHead.js";

const SCOPES: RangeOption<"24h" | "all">[] = [
  { value: "24h", label: "last 24 h" },
  { value: "all", label: "whole history" },
];

type CheckView = { name: string; table: string; status: string; checked: number; failed: number; samples?: { detail: string }[]; note?: string };

function rangeText(summary: unknown): string {
  const since = (summary as { since?: number | null } | null)?.since;
  return since === null ? "whole history" : typeof since === "number" ? `since ${new Date(since).toLocaleString("en-GB", { hour12: false })}` : "";
}

function StatusPill(props: { status: string }) {
  return <span className={`pill ${props.status.toLowerCase()}`}>{props.status}</span>;
}

export function QualityCard(props: { onRun: () => void; finishedSignal: number }) {
  const [reports, setReports] = useState<QualityReportView[] | null>(null);
  const [scope, setScope] = useState<"24h" | "all">("24h");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    trpc.control.qualityReports.query({ limit: 10 }).then(setReports, (e: unknown) => setError(errorText(e)));
  }, []);
  useEffect(load, [load, props.finishedSignal]);

  const run = async () => {
    setBusy(true);
    setError(null);
    setMessage(null);
    props.onRun();
    try {
      const r = await adminClient.control.run.mutate({ command: "quality", args: scope === "all" ? ["--all"] : [], timeoutMs: 15_000 });
      const answered = r.replies.find((x) => x.ok && !(x.result as { skipped?: boolean }).skipped);
      const failed = r.replies.find((x) => !x.ok);
      if (failed && !failed.ok) setError(`${failed.nodeId}: ${failed.error}`);
      else if (!answered) setError("no node with the quality role answered");
      else {
        const result = (answered.ok ? answered.result : {}) as { state?: string; reportId: string; status?: string };
        setMessage(result.state === "running" ? `Run ${result.reportId} is running on ${answered.nodeId}; follow it in the live log.` : `Run ${result.reportId} finished: ${result.status}.`);
      }
      load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const latest = reports?.[0];
  const checks = ((latest?.summary as { checks?: CheckView[] } | undefined)?.checks ?? []) as CheckView[];
  return (
    <section className="panel quality-card" data-testid="quality-card">
      <RunCardHead title="Quality gate" rangeLabel="scope" ranges={SCOPES} range={scope} onRange={setScope} runLabel="Run quality gate" busyLabel="Running…" runTestId="run-quality" busy={busy} onRun={run} />
      {error !== null && <div className="banner error small">{error}</div>}
      {message !== null && <div className="note small">{message}</div>}
      {latest === undefined ? (
        <div className="muted pad">{reports === null ? "Loading reports…" : "No quality run yet."}</div>
      ) : (
        <>
          <div className="report-head" data-testid="latest-report">
            <StatusPill status={latest.status} /> <span className="mono">{latest.reportId}</span>
            <span className="muted small">
              {" "}
              · {latest.trigger} · {rangeText(latest.summary)} · {formatClock(latest.startedAt)} · {latest.finishedAt ? formatDuration(latest.finishedAt - latest.startedAt) : "running"} · {formatNumber(latest.rowsChecked)} rows · {formatNumber(latest.rowsFailed)} failing
            </span>
          </div>
          <DataTable className="table compact" headings={["Check", "Table", "Status", numeric("Checked"), numeric("Failed"), "Example"]}>
            {checks.map((c) => (
              <tr key={`${c.name}/${c.table}`}>
                <td>{c.name}</td>
                <td className="muted">{c.table}</td>
                <td>
                  <StatusPill status={c.status} />
                </td>
                <td className="num">{formatNumber(c.checked)}</td>
                <td className="num">{formatNumber(c.failed)}</td>
                <td className="small muted ellipsis" title={c.samples?.[0]?.detail ?? c.note ?? ""}>
                  {c.samples?.[0]?.detail ?? ""}
                </td>
              </tr>
            ))}
          </DataTable>
          <div className="history">
            {reports!.slice(1).map((r) => (
              <span key={r.reportId} className="hist" title={`${r.reportId} · ${r.trigger}`}>
                <StatusPill status={r.status} /> {formatClock(r.startedAt)}
              </span>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
