/**
 * Upload on the Data page: a Binance trades file (CSV, .csv.gz or .zip, any size) or a custom
 * source's JSON Lines / CSV goes up in chunks (resumed by itself after a dropped connection), is
 * checked whole, then imported through the same pipeline as `npm run import`. Shows bytes, rows,
 * rows/s and the time left, then the result with the refused rows to download. An admin action.
 */
import { useState } from "react";
import { formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { AdminSignIn } from "../ui/AdminSignIn.js";
import { ErrorBanner } from "../ui/States.js";
import { binanceFileName, resumeUpload, shareOf, startUpload, UploadInterrupted, type UploadMeta, type UploadStatus } from "./upload.js";

type Kind = UploadMeta["kind"];
const KINDS: { kind: Kind; label: string }[] = [
  { kind: "binance-trades", label: "Binance trades (CSV, .gz, .zip)" },
  { kind: "binance-klines", label: "Binance klines (CSV, .gz, .zip)" },
  { kind: "custom-jsonl", label: "Custom source: JSON Lines" },
  { kind: "custom-csv", label: "Custom source: CSV with a header" },
];

const PHASE_TEXT: Record<UploadStatus["phase"], string> = {
  uploading: "Uploading",
  queued: "Waiting for the import before it",
  checking: "Checking the file",
  importing: "Importing into the log",
  done: "Done",
  failed: "Refused",
};

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

function eta(s: number | null): string {
  if (s === null) return "—";
  return s < 90 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`;
}

function Progress(props: { status: UploadStatus }) {
  const s = props.status;
  const share = shareOf(s);
  const p = s.progress;
  return (
    <div data-testid="upload-progress">
      <div className="upload-stats small">
        <strong data-testid="upload-phase">{PHASE_TEXT[s.phase]}</strong>
        <span data-testid="upload-percent">{Math.floor(share * 100)} %</span>
      </div>
      <div className="upload-bar" role="progressbar" aria-valuenow={Math.floor(share * 100)} aria-valuemin={0} aria-valuemax={100}>
        <div className={`upload-fill ${s.phase}`} style={{ width: `${share * 100}%` }} />
      </div>
      <div className="upload-stats small muted">
        {s.phase === "uploading" || p === null ? (
          <span>
            {mb(s.received)} of {mb(s.size)} MB sent
          </span>
        ) : (
          <>
            <span>
              {mb(p.bytesRead)} of {mb(p.totalBytes)} MB read
            </span>
            <span data-testid="upload-rows">{formatNumber(p.rows, 0)} rows</span>
            <span>{formatNumber(p.rowsPerSecond, 0)} rows/s</span>
            <span>ETA {eta(p.etaSeconds)}</span>
          </>
        )}
      </div>
    </div>
  );
}

function Result(props: { status: UploadStatus }) {
  const s = props.status;
  if (s.phase === "failed") return <ErrorBanner>{`${s.name}: ${s.error ?? "refused"}. Nothing of it was logged.`}</ErrorBanner>;
  const r = s.result;
  if (s.phase !== "done" || r === null) return null;
  return (
    <div className="upload-result" data-testid="upload-result">
      <div className="upload-stats small">
        <span>
          <strong data-testid="upload-accepted">{formatNumber(r.accepted, 0)}</strong> {s.kind === "binance-trades" ? "trades" : s.kind === "binance-klines" ? "klines" : "records"} added
        </span>
        <span data-testid="upload-duplicates">{formatNumber(r.duplicates, 0)} {s.kind === "binance-trades" ? "already in the log" : "messages already in the log"}</span>
        <span data-testid="upload-invalid">{formatNumber(r.invalid, 0)} refused</span>
        <span>
          {formatNumber(r.rows, 0)} rows in {r.seconds.toFixed(1)} s
        </span>
      </div>
      {r.firstErrors.length > 0 && (
        <ul className="small muted">
          {r.firstErrors.map((e) => (
            <li key={e.line}>
              line {e.line}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {r.rejectFile && (
        <a className="btn" href={`/api/uploads/${s.id}/rejects`} data-testid="upload-rejects">
          Download the refused rows (CSV)
        </a>
      )}
      {r.backfilled && (
        <div className="small" data-testid="upload-backfilled">
          {formatNumber(r.backfilled.trades, 0)} trades were older than {s.target}'s live data (from {new Date(r.backfilled.before).toISOString().replace("T", " ").slice(0, 19)} UTC): backfilled into {formatNumber(r.backfilled.bars, 0)} bars and {formatNumber(r.backfilled.candles, 0)} candles.
        </div>
      )}
      {r.endOfStream && <div className="small muted">The end of the file closed {s.target}'s last windows and candle.</div>}
    </div>
  );
}

export function UploadPanel(props: { onFinished?: (status: UploadStatus) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<Kind>("binance-trades");
  const [symbol, setSymbol] = useState("");
  const [source, setSource] = useState("");
  const [dataType, setDataType] = useState("");
  const [status, setStatus] = useState<UploadStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [interrupted, setInterrupted] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = (f: File | null) => {
    setFile(f);
    setStatus(null);
    setError(null);
    setInterrupted(null);
    if (f === null) return;
    const named = binanceFileName(f.name);
    if (named) {
      setSymbol(named.symbol);
      setKind(named.kind);
    }
    if (/\.(jsonl|ndjson)(\.gz|\.zip)?$/i.test(f.name)) setKind("custom-jsonl");
  };
  const binance = kind === "binance-trades" || kind === "binance-klines";
  const meta = (): UploadMeta => (kind === "binance-trades" || kind === "binance-klines" ? { kind, symbol: symbol.trim().toUpperCase() } : { kind, source: source.trim(), dataType: dataType.trim() });
  const run = async (go: () => Promise<UploadStatus>) => {
    setBusy(true);
    setError(null);
    setInterrupted(null);
    try {
      const done = await go();
      setStatus(done);
      props.onFinished?.(done);
    } catch (e) {
      if (e instanceof UploadInterrupted) setInterrupted(e.id);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const ready = file !== null && !busy && (binance ? symbol.trim() !== "" : source.trim() !== "" && dataType.trim() !== "");
  return (
    <section className="panel upload-panel" data-testid="upload-panel">
      <div className="panel-head">
        <div className="card-title">Upload history</div>
        <AdminSignIn />
      </div>
      <div className="upload-form">
        <input type="file" data-testid="upload-file" accept=".csv,.gz,.zip,.jsonl,.ndjson" onChange={(e) => pick(e.target.files?.[0] ?? null)} />
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="upload-kind">
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        {binance ? (
          <input placeholder="Symbol, e.g. BTCUSDT" value={symbol} onChange={(e) => setSymbol(e.target.value)} data-testid="upload-symbol" />
        ) : (
          <>
            <input placeholder="source, e.g. my_plant" value={source} onChange={(e) => setSource(e.target.value)} data-testid="upload-source" />
            <input placeholder="data type, e.g. iot" value={dataType} onChange={(e) => setDataType(e.target.value)} data-testid="upload-type" />
          </>
        )}
        <button className="btn primary" disabled={!ready} data-testid="upload-start" onClick={() => file && void run(() => startUpload(file, meta(), { onStatus: setStatus }))}>
          Upload
        </button>
        {interrupted !== null && file !== null && (
          <button className="btn" disabled={busy} data-testid="upload-resume" onClick={() => void run(() => resumeUpload(interrupted, file, { onStatus: setStatus }))}>
            Resume
          </button>
        )}
      </div>
      <div className="small muted pad">
        Trades whose ids the log already holds are dropped, as for live ingest; the file is checked whole before anything is logged.
      </div>
      {status !== null && <Progress status={status} />}
      {error !== null && <ErrorBanner>{error}</ErrorBanner>}
      {status !== null && <Result status={status} />}
    </section>
  );
}
