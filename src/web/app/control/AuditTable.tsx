/** The audit trail (who, what, when, result) from PostgreSQL, newest first. */
import { useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { DataTable } from "../ui/Table.js";
import type { AuditView } from "./client.js";

/** Refused attempts are summarised per hour and caller: the tooltip says how many and until when. */
function attemptsTitle(r: AuditView): string {
  if (r.attempts <= 1) return r.detail ?? "";
  const last = r.lastAt ? new Date(r.lastAt).toLocaleTimeString("en-GB", { hour12: false }) : "?";
  return `${r.attempts} attempts until ${last}${r.detail ? ` — first: ${r.detail}` : ""}`;
}

/** `admin`: whether this browser passes the admin gate (null while unknown); the trail is admin only. */
export function AuditTable(props: { refreshSignal: number; admin: boolean | null }) {
  const [rows, setRows] = useState<AuditView[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (props.admin !== true) return;
    const load = () =>
      trpc.control.audit.query({ limit: 50 }).then(
        (r) => {
          setRows(r.entries);
          setNote(r.note);
          setError(null);
        },
        (e: unknown) => setError(errorText(e)),
      );
    void load();
    // The writer stores a record a moment after the command: look again shortly after a change.
    const t = setTimeout(load, 1500);
    return () => clearTimeout(t);
  }, [props.refreshSignal, props.admin]);
  if (props.admin === false) {
    return (
      <section className="panel audit-panel" data-testid="audit">
        <div className="card-title">Audit trail</div>
        <div className="muted small pad" data-testid="audit-admin-only">
          Admin only: the audit trail names callers' addresses and key ids. Sign in with an admin token above to see it.
        </div>
      </section>
    );
  }
  return (
    <section className="panel audit-panel" data-testid="audit">
      <div className="card-title">Audit trail</div>
      {error !== null && <div className="banner error small">{error}</div>}
      {note !== null && <div className="muted small pad">{note}</div>}
      <div className="scroll">
        <DataTable className="table compact" headings={["When", "Who", "Command", "Node", "Result"]}>
          {(rows ?? []).map((r) => (
            <tr key={r.id}>
              <td className="small">{new Date(r.at).toLocaleTimeString("en-GB", { hour12: false })}</td>
              <td className="small mono ellipsis" title={r.principal}>
                {r.principal}
              </td>
              <td className="mono small">
                {r.command} {((r.args as { argv?: string[] }).argv ?? []).join(" ")}
              </td>
              <td className="small muted">{r.nodeId}</td>
              <td title={attemptsTitle(r)}>
                <span className={`pill ${r.outcome === "succeeded" ? "passed" : r.outcome === "refused" ? "warn" : "failed"}`}>{r.outcome}</span>
                {r.attempts > 1 && <span className="small muted"> ×{r.attempts}</span>}
              </td>
            </tr>
          ))}
        </DataTable>
        {rows !== null && rows.length === 0 && <div className="muted pad">No admin command yet.</div>}
      </div>
    </section>
  );
}
