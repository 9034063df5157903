/**
 * MLOps center: per-symbol leaderboard (skill vs naive), the champion with its history and a
 * guarded rollback, feature importances, live performance vs naive, live events, and every run.
 * Registry queries refresh when an MLOps event arrives; admin actions need an admin session
 * (the token typed once, kept by the server) unless the server accepts this machine as local.
 */
import { useState } from "react";
import { formatNumber, formatPercent } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { Kpi } from "../ui/Kpi.js";
import { Empty, ErrorBanner, Spinner } from "../ui/States.js";
import { SymbolPicker } from "../ui/SymbolPicker.js";
import { ChampionCard, Importances } from "./ChampionCard.js";
import { EventsFeed } from "./EventsFeed.js";
import { Leaderboard } from "./Leaderboard.js";
import { changeCounts, formatStamp, performanceSeries, skillTone } from "./logic.js";
import { PerformanceChart } from "./PerformanceChart.js";
import { RunsTable } from "./RunsTable.js";
import { MLOPS_CSS } from "./styles.js";
import { AdminSignIn } from "../ui/AdminSignIn.js";
import { useMlopsEvents, useQuery } from "./useMlops.js";

export function MlopsPage(props: { symbol: string | null; onSymbol: (s: string) => void }) {
  const { events, version } = useMlopsEvents();
  const symbols = useQuery(() => trpc.mlops.symbols.query(), [version]);
  const symbol = props.symbol ?? symbols.data?.[0] ?? null;
  const board = useQuery(() => (symbol ? trpc.mlops.leaderboard.query({ symbol }) : Promise.resolve([])), [symbol, version]);
  const champion = useQuery(() => (symbol ? trpc.mlops.champion.query({ symbol }) : Promise.resolve(null)), [symbol, version]);
  const perf = useQuery(() => (symbol ? trpc.mlops.performance.query({ symbol, hours: 24, bucketMinutes: 15 }) : Promise.resolve(null)), [symbol, version]);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  const act = async (label: string, run: () => Promise<string>) => {
    setBusy(true);
    setNotice(null);
    try {
      setNotice({ ok: true, text: await run() });
    } catch (err) {
      setNotice({ ok: false, text: `${label}: ${errorText(err)}` });
    } finally {
      setBusy(false);
      champion.refresh();
      board.refresh();
    }
  };
  const rollback = () =>
    symbol &&
    confirm(`Roll ${symbol} back to its previous champion?`) &&
    void act("Rollback", async () => {
      const r = await trpc.mlops.rollback.mutate({ symbol });
      return `${r.symbol}: rolled back ${r.from} → ${r.to} (node ${r.nodeId})`;
    });
  const train = () =>
    void act("Train", async () => {
      const replies = await trpc.mlops.train.mutate({ symbol });
      const n = replies.reduce((a, r) => a + r.trained.length, 0);
      return `trained ${n} symbol${n === 1 ? "" : "s"}${symbol ? ` (${symbol})` : ""}; see the leaderboard and events`;
    });

  const series = perf.data ? performanceSeries(perf.data.points) : [];
  const lastPerf = series[series.length - 1];
  const liveSkill = lastPerf && lastPerf.rmseNaive > 0 ? 1 - lastPerf.rmse / lastPerf.rmseNaive : null;
  const top = champion.data?.history[0];
  const championSkill = top && top.rmse !== null && top.rmseNaive ? 1 - top.rmse / top.rmseNaive : null;

  return (
    <div className="mlops">
      <style>{MLOPS_CSS}</style>
      <div className="toolbar">
        <SymbolPicker symbols={symbols.data ?? []} value={symbol} onChange={props.onSymbol} />
        <div className="admin-bar">
          <AdminSignIn className="token-input" />
          <button className="btn" disabled={busy} onClick={train}>
            {busy ? "Working…" : symbol ? `Train ${symbol} now` : "Train all now"}
          </button>
        </div>
      </div>
      {notice && (notice.ok ? <div className="notice">{notice.text}</div> : <ErrorBanner>{notice.text}</ErrorBanner>)}
      {symbols.error && <ErrorBanner>{symbols.error}</ErrorBanner>}
      {symbols.data === null && !symbols.error ? (
        <Spinner label="Loading the model registry…" />
      ) : symbol === null ? (
        <Empty title="No models trained yet">The ML watcher hunts for symbols with enough silver rows every 10 s; or train now.</Empty>
      ) : (
        <>
          <div className="kpis">
            <Kpi label="Champion" value={<span className="mono">{champion.data?.pointer?.version ?? "naive"}</span>} sub={champion.data?.pointer?.kind ?? "next = last"} />
            <Kpi label="Champion skill (held-out)" value={formatPercent(championSkill)} tone={skillTone(championSkill)} sub="vs naive at promotion" />
            <Kpi label="Live skill (last 15 min)" value={formatPercent(liveSkill)} tone={skillTone(liveSkill)} sub={lastPerf ? `${lastPerf.versions.join(", ")}` : "no scored predictions"} />
            <Kpi
              label={champion.data?.pointer?.version === "naive" ? "Demoted" : "Promoted"}
              value={formatStamp(champion.data?.pointer?.promotedAt)}
              sub={changeCounts(champion.data?.history ?? [])}
            />
            <Kpi label="Models on board" value={formatNumber(board.data?.length ?? 0, 0)} sub="latest run per algorithm" />
            <Kpi label="Events" value={formatNumber(events.length, 0)} sub={events[0] ? events[0].type : "listening"} tone="muted" />
          </div>
          <div className="mlops-grid">
            <section className="panel">
              <div className="card-title">Leaderboard · {symbol}</div>
              {board.error ? <ErrorBanner>{board.error}</ErrorBanner> : board.data === null ? <Spinner label="Loading…" /> : <Leaderboard rows={board.data} championAlgorithm={champion.data?.pointer?.kind ?? null} />}
            </section>
            <section className="panel">
              <div className="card-title">Champion</div>
              {champion.error ? <ErrorBanner>{champion.error}</ErrorBanner> : champion.data === null ? <Spinner label="Loading…" /> : <ChampionCard view={champion.data} busy={busy} onRollback={rollback} />}
            </section>
          </div>
          <div className="mlops-grid">
            <section className="panel">
              <div className="card-title">Live performance · realised error vs naive</div>
              {perf.error ? <ErrorBanner>{perf.error}</ErrorBanner> : perf.data === null ? <Spinner label="Loading…" /> : <PerformanceChart view={perf.data} />}
            </section>
            <section className="panel">
              <div className="card-title">Feature importances · champion</div>
              <Importances groups={champion.data?.importanceGroups ?? []} />
              <div className="card-title" style={{ marginTop: 8 }}>
                Live events
              </div>
              <EventsFeed events={events} />
            </section>
          </div>
          <section className="panel">
            <div className="card-title">Runs · {symbol}</div>
            <RunsTable symbol={symbol} version={version} />
          </section>
        </>
      )}
    </div>
  );
}
