/** Data: uploads of history; lake tables (custom sources and their tables included) with row counts; a table's schema history and latest rows. */
import { useEffect, useState } from "react";
import { formatClock, formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc, type Outputs } from "../trpc.js";
import { Empty, ErrorBanner, Spinner } from "../ui/States.js";
import { UploadPanel } from "./UploadPanel.js";
import "../control/control.css";

type TableSummary = Outputs["control"]["tables"]["tables"][number];
type TableDetail = Outputs["control"]["table"];

function size(n: number): string {
  return n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  if (typeof v === "number") return Number.isInteger(v) && v > 1e12 && v < 1e13 ? new Date(v).toISOString().replace("T", " ").slice(0, 23) : formatNumber(v, 8);
  if (typeof v === "object") return JSON.stringify(v);
  const s = String(v);
  return s.length > 80 ? s.slice(0, 80) + "…" : s;
}

function Detail(props: { name: string }) {
  const [detail, setDetail] = useState<TableDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDetail(null);
    setError(null);
    trpc.control.table.query({ name: props.name, limit: 25 }).then(setDetail, (e: unknown) => setError(errorText(e)));
  }, [props.name]);
  if (error !== null) return <ErrorBanner>{error}</ErrorBanner>;
  if (detail === null) return <Spinner label={`Reading ${props.name}…`} />;
  const columns = detail.summary.columns.map((c) => c.name);
  return (
    <div className="control-left" data-testid="table-detail">
      <section className="panel">
        <div className="card-title">
          {detail.summary.name} · version {detail.summary.version} · partitioned by {detail.summary.partitionColumns.join(", ") || "—"}
        </div>
        {detail.summary.description && <div className="muted small pad">{detail.summary.description}</div>}
        <div className="card-title pad">Latest rows</div>
        <div className="rows-scroll">
          <table className="table compact">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {detail.rows.map((r, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c} className="small mono">
                      {cell(r[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {detail.rows.length === 0 && <div className="muted pad">The table is empty.</div>}
        </div>
      </section>
      <section className="panel">
        <div className="card-title">Schema history</div>
        {detail.schemaHistory.map((v) => (
          <div key={v.version} className="schema-version">
            <div className="small">
              <strong>v{v.version}</strong> <span className="muted">· {v.operation ?? "—"} · {new Date(v.timestamp).toLocaleString("en-GB", { hour12: false })}</span>
            </div>
            <div className="small mono">
              {v.added.map((c) => (
                <span key={c} className="added">
                  +{c}{" "}
                </span>
              ))}
              {v.removed.map((c) => (
                <span key={c} className="removed">
                  {c}{" "}
                </span>
              ))}
              {v.added.length === 0 && v.removed.length === 0 && <span className="muted">{v.columns.map((c) => `${c.name}: ${c.type}${c.nullable ? "?" : ""}`).join(", ")}</span>}
            </div>
          </div>
        ))}
      </section>
    </div>
  );
}

export function DataPage() {
  // An import's rows reach the lake a commit later: the tables are read again after it and every 10 s.
  const [imported, setImported] = useState(0);
  return (
    <>
      <UploadPanel onFinished={() => setTimeout(() => setImported((n) => n + 1), 2_000)} />
      <LakeTables refresh={imported} />
    </>
  );
}

const REREAD_MS = 10_000;

function LakeTables(props: { refresh: number }) {
  const [tables, setTables] = useState<TableSummary[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REREAD_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    trpc.control.tables.query().then(
      (r) => {
        setTables(r.tables);
        setNote(r.note);
        if (r.tables[0]) setSelected((s) => s ?? r.tables[0]!.name);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [tick, props.refresh]);
  if (error !== null) return <ErrorBanner>{error}</ErrorBanner>;
  if (tables === null) return <Spinner label="Reading the lake…" />;
  if (tables.length === 0) return <Empty title="No lake tables yet">{note ?? "Tables appear once ingestion or a custom source writes to the lake."}</Empty>;
  return (
    <div className="data-page data-grid">
      <div className="table-list" data-testid="tables">
        {tables.map((t) => (
          <button key={t.name} className={`table-card ${selected === t.name ? "active" : ""}`} onClick={() => setSelected(t.name)}>
            <div className="row">
              <strong className="mono">{t.name}</strong>
              <span className="tag">{t.kind}</span>
            </div>
            <div className="row small muted">
              <span>{formatNumber(t.rows)} rows</span>
              <span>
                {t.files} files · {size(t.bytes)}
              </span>
              <span>v{t.version} · {formatClock(t.updatedAt)}</span>
            </div>
            {t.sources.length > 0 && (
              <div className="small pad">
                {t.sources.map((s) => (
                  <span key={`${s.source}/${s.dataType}`} className="tag">
                    {s.source}
                    {s.dataType ? `/${s.dataType}` : ""} · {formatNumber(s.rows)}
                  </span>
                ))}
              </div>
            )}
          </button>
        ))}
      </div>
      {/* Read again when the table gets a new version (an import's commit, a compaction). */}
      {selected !== null && <Detail key={`${selected}:${tables.find((t) => t.name === selected)?.version ?? -1}`} name={selected} />}
    </div>
  );
}
