/** Any admin command the nodes answer: pick it, give arguments, run it on every node or one; answers per node. */
import { useEffect, useState } from "react";
import { errorText } from "../hooks.js";
import { adminClient, type AdminReplyView } from "./client.js";

function splitArgs(text: string): string[] {
  return (text.match(/"[^"]*"|\S+/g) ?? []).map((a) => (a.startsWith('"') && a.endsWith('"') ? a.slice(1, -1) : a));
}

export function CommandRunner(props: { refreshSignal: number; onDone: () => void }) {
  const [nodes, setNodes] = useState<{ nodeId: string; commands: string[]; error: string | null }[]>([]);
  const [command, setCommand] = useState("status");
  const [args, setArgs] = useState("");
  const [node, setNode] = useState("");
  const [replies, setReplies] = useState<AdminReplyView[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true; // a newer request (new token) supersedes this one's answer
    // With the token header: nodes list their commands only to an authorised caller.
    adminClient.control.commands.query().then(
      (r) => {
        if (!current) return;
        setNodes(r.nodes);
        setError(r.error ?? r.nodes.find((n) => n.error)?.error ?? null);
      },
      (e: unknown) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [props.refreshSignal]);
  const all = [...new Set(nodes.flatMap((n) => n.commands))].sort();
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await adminClient.control.run.mutate({ command, args: splitArgs(args), ...(node ? { nodeId: node } : {}), timeoutMs: 15_000 });
      setReplies(r.replies);
      props.onDone();
    } catch (e) {
      setError(errorText(e));
      props.onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" data-testid="command-runner">
      <div className="card-title">Admin commands</div>
      <div className="command-row">
        <select aria-label="command" value={command} onChange={(e) => setCommand(e.target.value)}>
          {(all.length ? all : ["status"]).map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input aria-label="arguments" className="grow mono" placeholder="arguments, e.g. --since 2h" value={args} onChange={(e) => setArgs(e.target.value)} onKeyDown={(e) => e.key === "Enter" && void run()} />
        <select aria-label="target node" value={node} onChange={(e) => setNode(e.target.value)}>
          <option value="">all nodes</option>
          {nodes.map((n) => (
            <option key={n.nodeId}>{n.nodeId}</option>
          ))}
        </select>
        <button className="btn" onClick={run} disabled={busy}>
          {busy ? "…" : "Run"}
        </button>
      </div>
      <div className="muted small pad">
        {nodes.length} node(s) answer {all.length} command(s): {all.join(", ") || "—"}
      </div>
      {error !== null && <div className="banner error small">{error}</div>}
      {replies !== null && (
        <div className="replies">
          {replies.map((r) => (
            <div key={r.nodeId} className={`reply ${r.ok ? "ok" : "bad"}`}>
              <div className="reply-head">
                <span className="mono">{r.nodeId}</span> {r.ok ? <span className="pill passed">ok</span> : <span className="pill failed">{r.code}</span>}
              </div>
              <pre className="mono small">{r.ok ? JSON.stringify(r.result, null, 2).slice(0, 4000) : r.error}</pre>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
