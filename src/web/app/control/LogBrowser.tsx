/**
 * The log browser (what Kafdrop was): streams, consumers with pending and ack lag, subjects, last
 * messages, dead letters. The audit trail (AUDIT), the KV buckets and dead-letter payloads are
 * admin only: without admin the page says so where they would be shown.
 */
import { useEffect, useState } from "react";
import { formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc } from "../trpc.js";
import { DataTable, numeric } from "../ui/Table.js";
import type { DeadLetterView, StreamsView } from "./client.js";

type Msg = DeadLetterView | Omit<DeadLetterView, "reason" | "payloadHidden">;

const SIGN_IN_HINT = "Sign in with an admin token above to see it.";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function Messages(props: { items: Msg[] }) {
  return (
    <div className="messages">
      {props.items.map((m) => (
        <div key={m.seq} className="message">
          <div className="small muted">
            #{m.seq} · <span className="mono">{m.subject}</span> · {new Date(m.time).toLocaleString("en-GB", { hour12: false })} · {bytes(m.size)}
            {"reason" in m && <span className="pill warn">{m.reason}</span>}
          </div>
          {"payloadHidden" in m && m.payloadHidden ? (
            <div className="muted small">payload hidden (admin only)</div>
          ) : (
            <pre className="mono small">
              {m.data}
              {m.truncated ? " …" : ""}
            </pre>
          )}
        </div>
      ))}
      {props.items.length === 0 && <div className="muted pad">No messages.</div>}
    </div>
  );
}

/** `admin`: whether this browser passes the admin gate (null while unknown). */
export function LogBrowser(props: { admin: boolean | null }) {
  const [view, setView] = useState<StreamsView | null>(null);
  const [stream, setStream] = useState<string>("");
  const [subjects, setSubjects] = useState<{ subject: string; messages: number }[]>([]);
  const [subject, setSubject] = useState<string>("");
  const [messages, setMessages] = useState<Msg[] | null>(null);
  const [dlq, setDlq] = useState<DeadLetterView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Why the picked stream or subject is not shown (admin only), instead of a broken panel. */
  const [adminOnly, setAdminOnly] = useState<string | null>(null);
  const fail = (e: unknown) => setError(errorText(e));
  // A refusal of an admin-only read becomes a note where the messages would be.
  const failRead = (e: unknown) => ((e as { data?: { code?: string } }).data?.code === "FORBIDDEN" ? setAdminOnly(errorText(e)) : fail(e));
  const pickedAdminOnly = props.admin === false && (view?.streams.find((s) => s.name === stream)?.adminOnly ?? false) && stream !== "DLQ";
  const refresh = () => {
    trpc.control.streams.query().then(setView, fail);
    trpc.control.deadLetters.query({ limit: 20 }).then(setDlq, fail);
  };
  // Payloads appear or vanish when the admin token is typed or forgotten.
  useEffect(refresh, [props.admin]);
  useEffect(() => {
    if (!stream) return;
    setSubject("");
    setSubjects([]);
    setMessages(null);
    setAdminOnly(null);
    if (pickedAdminOnly) return;
    trpc.control.subjects.query({ stream }).then(setSubjects, failRead);
  }, [stream, pickedAdminOnly]);
  useEffect(() => {
    if (!stream || !subject) return;
    setAdminOnly(null);
    trpc.control.messages.query({ stream, subject, limit: 20 }).then(setMessages, failRead);
  }, [stream, subject, props.admin]);
  const dlqHidden = (dlq ?? []).some((m) => m.payloadHidden);
  return (
    <div className="browser" data-testid="log-browser">
      {error !== null && <div className="banner error small">{error}</div>}
      <section className="panel">
        <div className="panel-head">
          <div className="card-title">Streams</div>
          <button className="btn" onClick={refresh}>
            Refresh
          </button>
        </div>
        <DataTable className="table compact" headings={["Stream", "Subjects", numeric("Messages"), numeric("Size"), numeric("Sequences"), numeric("Consumers"), "Last message"]}>
          {(view?.streams ?? []).map((s) => (
            <tr key={s.name} className={stream === s.name ? "selected" : "clickable"} onClick={() => setStream(s.name)}>
              <td className="mono">
                {s.name} {s.adminOnly && <span className="tag">admin only</span>}
              </td>
              <td className="mono small muted">{s.subjects.join(" ")}</td>
              <td className="num">{formatNumber(s.messages)}</td>
              <td className="num">{bytes(s.bytes)}</td>
              <td className="num small">
                {s.firstSeq}–{s.lastSeq}
              </td>
              <td className="num">{s.consumers}</td>
              <td className="small muted">{s.lastTime ? new Date(s.lastTime).toLocaleTimeString("en-GB", { hour12: false }) : "—"}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      <section className="panel">
        <div className="card-title">Consumers</div>
        <DataTable className="table compact" testId="consumers" headings={["Stream", "Consumer", "Filter", numeric("Pending"), numeric("Ack pending"), numeric("Ack lag"), numeric("Redelivered")]}>
          {(view?.consumers ?? []).map((c) => (
            <tr key={`${c.stream}/${c.name}`}>
              <td className="mono small">{c.stream}</td>
              <td className="mono">
                {c.name} {c.durable ? "" : <span className="tag">ephemeral</span>}
              </td>
              <td className="mono small muted">{c.filterSubject ?? "—"}</td>
              <td className={`num ${c.pending > 0 ? "warn" : ""}`}>{formatNumber(c.pending)}</td>
              <td className="num">{formatNumber(c.ackPending)}</td>
              <td className="num">{formatNumber(c.ackLag)}</td>
              <td className="num">{formatNumber(c.redelivered)}</td>
            </tr>
          ))}
        </DataTable>
      </section>
      <div className="two-col">
        <section className="panel">
          <div className="card-title">Subjects {stream ? `of ${stream}` : "(pick a stream)"}</div>
          {pickedAdminOnly && (
            <div className="muted small pad" data-testid="stream-admin-only">
              Admin only: {stream} holds {stream === "AUDIT" ? "the audit trail" : "the runtime's key-value state"}. {SIGN_IN_HINT}
            </div>
          )}
          {adminOnly !== null && (
            <div className="muted small pad" data-testid="stream-admin-only">
              {adminOnly}
            </div>
          )}
          <div className="subject-list">
            {subjects.map((s) => (
              <button key={s.subject} className={`subject ${s.subject === subject ? "active" : ""}`} onClick={() => setSubject(s.subject)}>
                <span className="mono">{s.subject}</span> <span className="muted">{formatNumber(s.messages)}</span>
              </button>
            ))}
          </div>
          {messages !== null && (
            <>
              <div className="card-title pad">Last messages of {subject}</div>
              <Messages items={messages} />
            </>
          )}
        </section>
        <section className="panel" data-testid="dlq">
          <div className="card-title">Dead letters (DLQ)</div>
          {dlqHidden && (
            <div className="muted small pad" data-testid="dlq-admin-only">
              Admin only: the rejected records themselves; reasons, subjects and sizes are shown. {SIGN_IN_HINT}
            </div>
          )}
          <Messages items={dlq ?? []} />
        </section>
      </div>
    </div>
  );
}
