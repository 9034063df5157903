/**
 * The gateway's API keys: runtime keys (create, shown once; revoke) and the INGEST_API_KEYS
 * bootstrap keys, with source scope, creation, last use, requests, records and requests per
 * minute. Admin only: the list and the buttons need an admin session (or this machine without
 * ADMIN_TOKENS).
 */
import { useEffect, useState } from "react";
import { formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc, type Outputs } from "../trpc.js";
import { useQuery } from "../mlops/useMlops.js";
import { ErrorBanner } from "../ui/States.js";
import { DataTable } from "../ui/Table.js";

type KeyView = Outputs["connections"]["keys"]["keys"][number];

const when = (ms: number | null) => (ms === null ? "—" : new Date(ms).toLocaleString("en-GB", { hour12: false }));

export function KeysPanel(props: { sources: string[]; keysManaged: boolean; signal: number; onCreated: (key: string, source: string) => void }) {
  // Re-read every 10 s: last use and rate move while a feed sends.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 10_000);
    return () => clearInterval(t);
  }, []);
  const keys = useQuery(() => trpc.connections.keys.query(), [props.signal, tick]);
  const [source, setSource] = useState("");
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<{ key: string; keyId: string; source: string } | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setNotice(null);
    try {
      setNotice({ ok: true, text: await run() });
    } catch (e) {
      setNotice({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
      keys.refresh();
    }
  };
  const create = () =>
    void act(async () => {
      const r = await trpc.connections.createKey.mutate({ source: source.trim() || "*", label });
      setCreated({ key: r.key, keyId: r.view.keyId, source: r.view.source });
      setLabel("");
      props.onCreated(r.key, r.view.source);
      return `created key ${r.view.keyId} for ${r.view.source === "*" ? "every source" : r.view.source}`;
    });
  const revoke = (k: KeyView) =>
    confirm(`Revoke key ${k.keyId} (${k.label})? Its next request gets 401.`) &&
    void act(async () => {
      await trpc.connections.revokeKey.mutate({ keyId: k.keyId });
      if (created?.keyId === k.keyId) setCreated(null);
      return `revoked key ${k.keyId}`;
    });
  return (
    <section className="panel" data-testid="api-keys">
      <div className="card-title">API keys</div>
      {props.keysManaged ? (
        <div className="key-form">
          <input list="connection-sources" aria-label="key source" placeholder="source (empty: every source)" value={source} onChange={(e) => setSource(e.target.value)} />
          <datalist id="connection-sources">
            {props.sources.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <input aria-label="key label" placeholder="label, e.g. acme production feed" value={label} onChange={(e) => setLabel(e.target.value)} />
          <button className="btn primary" disabled={busy || label.trim() === ""} onClick={create}>
            Create key
          </button>
        </div>
      ) : (
        <div className="muted small pad">This web server has no database: only the INGEST_API_KEYS keys apply (a restart changes them).</div>
      )}
      {notice && <div className={`notice ${notice.ok ? "ok" : "error"}`}>{notice.text}</div>}
      {created && (
        <div className="new-key" data-testid="new-key">
          <div className="small">
            New key for <strong>{created.source === "*" ? "every source" : created.source}</strong>. Copy it now: it is shown once, and only its hash is stored.
          </div>
          <code className="mono" data-testid="new-key-value">
            {created.key}
          </code>
          <button className="btn" onClick={() => void navigator.clipboard?.writeText(created.key)}>
            Copy
          </button>
          <button className="btn" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {keys.error !== null && <ErrorBanner>{keys.error}</ErrorBanner>}
      {keys.data?.error && <div className="muted small">{keys.data.error}</div>}
      {keys.data && (
        <DataTable className="table compact" headings={["key", "label", "source", "created", "last use", "requests", "records", "req/min", ""]}>
          {keys.data.keys.map((k) => (
            <tr key={k.keyId} className={k.revokedAt !== null ? "revoked" : ""} data-key-id={k.keyId}>
              <td className="mono small">{k.keyId}</td>
              <td className="small">{k.label}</td>
              <td className="mono small">{k.source === "*" ? "* (any)" : k.source}</td>
              <td className="small">{k.kind === "bootstrap" ? "at start" : `${when(k.createdAt)} · ${k.createdBy}`}</td>
              <td className="small">{when(k.lastUsedAt)}</td>
              <td className="small">{formatNumber(k.requests)}</td>
              <td className="small">{formatNumber(k.records)}</td>
              <td className="small">{formatNumber(k.perMinute)}</td>
              <td>
                {k.kind === "runtime" && k.revokedAt === null && (
                  <button className="btn" disabled={busy} onClick={() => revoke(k)}>
                    Revoke
                  </button>
                )}
                {k.revokedAt !== null && <span className="tag">revoked {when(k.revokedAt)}</span>}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {keys.data?.keys.length === 0 && <div className="muted pad">No keys yet: create one above, or set INGEST_API_KEYS.</div>}
    </section>
  );
}
