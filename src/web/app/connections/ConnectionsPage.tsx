/**
 * Connections: how a company sends its data. API keys (KeysPanel), and per source ready-to-copy
 * snippets (curl, Python requests, nats.js, the nats CLI), the OpenAPI document, the last records
 * in the log and the last errors the gateway answered (this web node's memory).
 */
import { useEffect, useState } from "react";
import { trpc } from "../trpc.js";
import { useQuery } from "../mlops/useMlops.js";
import { AdminSignIn } from "../ui/AdminSignIn.js";
import { ErrorBanner, Spinner } from "../ui/States.js";
import { KeysPanel } from "./KeysPanel.js";
import { snippets } from "./snippets.js";
import "../control/control.css";
import "./connections.css";

function Activity(props: { source: string }) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 5_000);
    return () => clearInterval(t);
  }, []);
  const activity = useQuery(() => trpc.connections.activity.query({ source: props.source, limit: 10 }), [props.source, tick]);
  if (activity.error !== null) return <ErrorBanner>{activity.error}</ErrorBanner>;
  if (activity.data === null) return <Spinner label="Reading the log…" />;
  const { records, errors, note } = activity.data;
  return (
    <div className="activity">
      <section className="panel" data-testid="last-records">
        <div className="card-title">Last records received ({props.source})</div>
        {note && <div className="muted small">{note}</div>}
        {records.length === 0 && !note && <div className="muted small">Nothing from {props.source} in the log yet.</div>}
        {records.map((r) => (
          <div key={r.seq} className="record small">
            <span className="muted">
              #{r.seq} · {r.subject} · {new Date(r.time).toLocaleTimeString("en-GB", { hour12: false })}
            </span>
            <code className="mono">{r.data + (r.truncated ? "…" : "")}</code>
          </div>
        ))}
      </section>
      <section className="panel" data-testid="last-errors">
        <div className="card-title">Errors sent back (this web node)</div>
        {errors.length === 0 && <div className="muted small">No errors answered for {props.source}.</div>}
        {errors.map((e, i) => (
          <div key={i} className="record small">
            <span className="muted">
              {new Date(e.at).toLocaleTimeString("en-GB", { hour12: false })} · {e.status} {e.error}
              {e.keyId ? ` · key ${e.keyId}` : ""}
            </span>
            <span>{e.message}</span>
          </div>
        ))}
      </section>
    </div>
  );
}

export function ConnectionsPage() {
  const [signal, setSignal] = useState(0);
  const overview = useQuery(() => trpc.connections.overview.query(), [signal]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dataType, setDataType] = useState("");
  const [natsUrl, setNatsUrl] = useState(`nats://${location.hostname}:4222`);
  const [lastKey, setLastKey] = useState<{ key: string; source: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  if (overview.error !== null) return <ErrorBanner>{overview.error}</ErrorBanner>;
  if (overview.data === null) return <Spinner label="Reading the connections…" />;
  const sources = overview.data.sources;
  const source = selected ?? sources[0] ?? null;
  const key = lastKey && (lastKey.source === "*" || lastKey.source === source) ? lastKey.key : undefined;
  const copy = (id: string, code: string) => {
    void navigator.clipboard?.writeText(code).then(() => setCopied(id), () => setCopied(null));
  };
  return (
    <div className="connections-page">
      <div className="connections-head">
        <span className="muted small">
          Send JSON over HTTP (<code className="mono">POST /api/ingest/&lt;source&gt;</code>, an API key) or NATS (<code className="mono">ingest.&lt;source&gt;.&lt;data_type&gt;</code>).{" "}
          <a href={overview.data.docs} target="_blank" rel="noreferrer" data-testid="openapi-link">
            OpenAPI document
          </a>
        </span>
        <AdminSignIn onChange={() => setSignal((n) => n + 1)} />
      </div>
      <KeysPanel
        sources={sources}
        keysManaged={overview.data.keysManaged}
        signal={signal}
        onCreated={(k, s) => {
          setLastKey({ key: k, source: s });
          if (s !== "*") setSelected(s);
          setSignal((n) => n + 1);
        }}
      />
      <section className="panel" data-testid="snippets">
        <div className="card-title">Send data</div>
        <div className="key-form">
          <input
            list="snippet-sources"
            aria-label="source"
            placeholder="source, e.g. acme"
            value={source ?? ""}
            onChange={(e) => setSelected(e.target.value.toLowerCase().replace(/[^a-z0-9_]/g, "").slice(0, 32))}
          />
          <datalist id="snippet-sources">
            {sources.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <input aria-label="data type" placeholder="data type (empty: from the record)" value={dataType} onChange={(e) => setDataType(e.target.value.toLowerCase().replace(/[^a-z0-9_]/g, "").slice(0, 32))} />
          <input aria-label="NATS URL" value={natsUrl} onChange={(e) => setNatsUrl(e.target.value)} />
        </div>
        {source ? (
          snippets({ origin: location.origin, natsUrl, source, dataType, apiKey: key }).map((s) => (
            <div key={s.id} className="snippet" data-snippet={s.id}>
              <div className="row small">
                <strong>{s.title}</strong>
                <button className="btn" onClick={() => copy(s.id, s.code)}>
                  {copied === s.id ? "Copied" : "Copy"}
                </button>
              </div>
              <pre className="mono">{s.code}</pre>
            </div>
          ))
        ) : (
          <div className="muted small">Name a source to see how to send its data.</div>
        )}
        <div className="muted small">
          HTTP answers 202 with the log sequences; a refusal names its reason (see the OpenAPI document). Over NATS against a node's embedded server, authenticate
          too (e.g. <code className="mono">--nkey ./data/nats/client.nk</code>); refused records go to the dead-letter stream.
        </div>
      </section>
      {source && <Activity source={source} />}
    </div>
  );
}
