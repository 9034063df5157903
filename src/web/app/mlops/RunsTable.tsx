/** Every training run, paged and sortable on the server. */
import { useState } from "react";
import { formatNumber } from "../format.js";
import { trpc } from "../trpc.js";
import { ErrorBanner, Spinner } from "../ui/States.js";
import { decisionLabel, formatStamp, naturalRunDirection, nextSort, pageCount, type SortState } from "./logic.js";
import { ScoreCells } from "./ScoreCells.js";
import { useQuery } from "./useMlops.js";

type Column = "startedAt" | "symbol" | "algorithm" | "status" | "rmse" | "skill" | "r2" | "dmStat" | "trainRows";
const COLUMNS: { key: Column; label: string; num?: boolean }[] = [
  { key: "startedAt", label: "Started" },
  { key: "symbol", label: "Symbol" },
  { key: "algorithm", label: "Algorithm" },
  { key: "status", label: "Status" },
  { key: "rmse", label: "RMSE", num: true },
  { key: "skill", label: "Skill", num: true },
  { key: "dmStat", label: "DM", num: true },
  { key: "r2", label: "R²", num: true },
  { key: "trainRows", label: "Train rows", num: true },
];
const PAGE_SIZE = 15;

export function RunsTable(props: { symbol: string | null; version: number }) {
  const [sort, setSort] = useState<SortState<Column>>({ column: "startedAt", direction: "desc" });
  const [page, setPage] = useState(0);
  const runs = useQuery(() => trpc.mlops.runs.query({ symbol: props.symbol, sort: sort.column, direction: sort.direction, page, pageSize: PAGE_SIZE }), [props.symbol, sort.column, sort.direction, page, props.version]);
  if (runs.error !== null) return <ErrorBanner>Runs: {runs.error}</ErrorBanner>;
  if (runs.data === null) return <Spinner label="Loading runs…" />;
  const pages = pageCount(runs.data.total, PAGE_SIZE);
  return (
    <>
      <table className="table" data-testid="runs">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                className={`sortable ${c.num ? "num" : ""}`}
                onClick={() => {
                  setSort(nextSort(sort, c.key, naturalRunDirection));
                  setPage(0);
                }}
              >
                {c.label}
                {sort.column === c.key && <span className="arrow">{sort.direction === "asc" ? "▲" : "▼"}</span>}
              </th>
            ))}
            <th>Version</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.rows.map((r) => (
            <tr key={r.runId} title={r.error ?? r.runId}>
              <td className="muted">{formatStamp(r.startedAt)}</td>
              <td>{r.symbol}</td>
              <td>{r.algorithm}</td>
              <td>
                <span className={`state ${r.status === "finished" ? "running" : r.status === "failed" ? "failed" : "starting"}`}>{r.status}</span>
              </td>
              <ScoreCells scores={r} />
              <td className="num">{formatNumber(r.trainRows, 0)}</td>
              <td className="mono">{r.modelVersion ?? ""}</td>
              <td className="small muted" title={r.decision ?? r.error ?? ""} data-testid="decision">
                {decisionLabel(r.decision, r.error)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        <span>
          {formatNumber(runs.data.total, 0)} runs · page {page + 1} of {pages}
        </span>
        <button className="btn" disabled={page === 0} onClick={() => setPage(page - 1)}>
          ‹ Prev
        </button>
        <button className="btn" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          Next ›
        </button>
      </div>
    </>
  );
}
